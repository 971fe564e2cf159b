package dev.cairn.functions;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushPayloadsTest {

    private static byte[] body(String event) {
        return TestEvents.tree(event).get("body").asText().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsGithubsPushPayload() {
        var push = PushPayloads.github("d-1", body("github-push.json"));
        assertThat(push.source()).isEqualTo("github");
        assertThat(push.ref()).isEqualTo("refs/heads/main");
        assertThat(push.branch()).isEqualTo("main");
        assertThat(push.before()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
        assertThat(push.after()).isEqualTo("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
        assertThat(push.repository()).isEqualTo("acme/infra");
        assertThat(push.cloneUrl()).isEqualTo("https://github.com/acme/infra.git");
        assertThat(push.cloneUrls()).contains("https://github.com/acme/infra", "git@github.com:acme/infra.git");
        assertThat(push.actor()).isEqualTo("github:octocat");
        assertThat(push.deletesRef()).isFalse();
        assertThat(push.createsRef()).isFalse();
    }

    @Test
    void readsGitlabsPushHook() {
        var push = PushPayloads.gitlab("u-1", body("gitlab-push.json"));
        assertThat(push.source()).isEqualTo("gitlab");
        assertThat(push.cloneUrl()).isEqualTo("https://gitlab.example.com/acme/infra.git");
        assertThat(push.repository()).isEqualTo("acme/infra");
        assertThat(push.actor()).isEqualTo("gitlab:jsmith");
        assertThat(push.after()).isEqualTo("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    }

    @Test
    void malformedPayloadsNameWhatIsWrongWithoutEchoingTheBody() {
        assertThatThrownBy(() -> PushPayloads.github("d", "{\"ref\": \"refs/heads/main\", oops".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PushPayloads.BadPayloadException.class).hasMessageContaining("not valid JSON at line 1")
                .hasMessageNotContaining("oops");
        assertThatThrownBy(() -> PushPayloads.github("d", "[1,2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> PushPayloads.github("d", "{}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("repository");
        assertThatThrownBy(() -> PushPayloads.github("d", ("{\"ref\":\"main\",\"before\":\"" + "0".repeat(40) + "\",\"after\":\"" + "a".repeat(40)
                + "\",\"repository\":{\"full_name\":\"a/b\",\"clone_url\":\"https://x/a/b.git\"}}").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("field ref");
        assertThatThrownBy(() -> PushPayloads.github("d", ("{\"ref\":\"refs/heads/main\",\"before\":\"" + "0".repeat(40) + "\",\"after\":\"--upload-pack=x\""
                + ",\"repository\":{\"full_name\":\"a/b\",\"clone_url\":\"https://x/a/b.git\"}}").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("field after is not a full commit id");
        assertThatThrownBy(() -> PushPayloads.parse(("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PushPayloads.BadPayloadException.class);
    }

    @Test
    void refusesUrlsThatAreNotPlainGitUrls() {
        assertThat(GitMirror.checkedUri("https://github.com/acme/infra.git")).isNotNull();
        assertThat(GitMirror.checkedUri("file:///tmp/repo.git")).isNotNull();
        assertThatThrownBy(() -> GitMirror.checkedUri("ext::sh -c touch% /tmp/pwned")).isInstanceOf(GitMirror.RefusedUrlException.class);
        assertThatThrownBy(() -> GitMirror.checkedUri("https://user:token@github.com/acme/infra.git"))
                .isInstanceOf(GitMirror.RefusedUrlException.class).hasMessageNotContaining("token@");
        assertThatThrownBy(() -> GitMirror.checkedUri("git://github.com/acme/infra.git")).isInstanceOf(GitMirror.RefusedUrlException.class);
    }
}
