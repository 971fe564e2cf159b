package dev.cairn.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.RevisionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.cairn.functions.GitWebhookFunctionTest.body;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The push scenarios of issue 6, run through the handler's public constructor against a real
 * {@code file://} repository: once per wiring (local stores, AWS on moto), by the subclasses.
 */
abstract class WebhookScenarios {
    @TempDir
    Path tmp;
    TestRepo repo;
    Map<String, String> env;
    GitWebhookFunction function;

    /** The wiring's variables (stores, launcher). */
    abstract Map<String, String> wiring(Path tmp) throws Exception;

    /** How many runs the launcher started (or recorded), all names together. */
    abstract long runsStarted() throws Exception;

    abstract RevisionStore revisions();

    abstract AuditLog audit();

    /** How the wiring gets the GitHub secret: the value itself unless a subclass stores it. */
    Map<String, String> webhookSecret() {
        return Map.of("CAIRN_GITHUB_WEBHOOK_SECRET", TestEvents.SECRET);
    }

    @BeforeEach
    void setUp() throws Exception {
        repo = TestRepo.twoInfrastructures(tmp.resolve("repo"));
        env = new HashMap<>(wiring(tmp));
        env.putAll(webhookSecret());
        env.put("CAIRN_GITLAB_WEBHOOK_TOKEN", TestEvents.SECRET);
        env.put("CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString());
        function = new GitWebhookFunction(env);
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    APIGatewayV2HTTPEvent push(String branch, String before, String after, String delivery) {
        var event = TestEvents.edited("github-push.json", b -> {
            b.put("ref", "refs/heads/" + branch).put("before", before).put("after", after);
            ((com.fasterxml.jackson.databind.node.ObjectNode) b.get("repository")).put("clone_url", repo.url());
        });
        return TestEvents.withHeader(event, "x-github-delivery", delivery);
    }

    APIGatewayV2HTTPResponse deliver(APIGatewayV2HTTPEvent event) {
        return function.handleRequest(event, null);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> body, String key) {
        return (List<Map<String, Object>>) body.get(key);
    }

    @Test
    void aPushChangingOneInfrastructureDeliveredTenTimesStartsExactlyOneRun() throws Exception {
        var base = repo.head();
        var after = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.9.0.0/16")).commitAndPush("main", "dev: new cidr");
        var event = push("main", base, after, "8e1f0a3c-0000-4000-8000-00000000000a");

        var first = deliver(event);
        assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(202);
        var body = body(first);
        assertThat(body).containsEntry("outcome", "started").containsEntry("commit", after);
        assertThat(list(body, "started")).singleElement().satisfies(s -> {
            assertThat(s).containsEntry("infrastructure", "dev").containsEntry("alreadyStarted", false)
                    .containsEntry("execution", ExecutionNames.of("dev", RunAction.APPLY, after, "push"));
        });
        assertThat(body.get("unchanged")).isEqualTo(List.of("prod"));
        for (int i = 0; i < 9; i++) {
            var again = deliver(event);
            assertThat(again.getStatusCode()).isEqualTo(200);
            assertThat(body(again)).containsEntry("outcome", "duplicate");
        }
        assertThat(runsStarted()).isEqualTo(1);

        // the same push under another delivery id (a replay: the id is not signed) maps to the same run
        var replay = deliver(TestEvents.withHeader(event, "x-github-delivery", "8e1f0a3c-0000-4000-8000-00000000000b"));
        assertThat(list(body(replay), "started")).singleElement().satisfies(s -> assertThat(s).containsEntry("alreadyStarted", true));
        assertThat(runsStarted()).isEqualTo(1);

        assertThat(revisions().desired("dev")).hasValueSatisfying(r -> {
            assertThat(r.commit()).isEqualTo(after);
            assertThat(r.ref()).isEqualTo("refs/heads/main");
        });
        assertThat(revisions().desired("prod")).isEmpty();
        assertThat(audit().list("dev", 10)).extracting(AuditLog.Entry::outcome).containsExactly("started", "started");
        assertThat(audit().list("-", 20)).extracting(AuditLog.Entry::outcome).containsOnly("duplicate").hasSize(9);
    }

    @Test
    void aPushToAnotherBranchStartsNothing() throws Exception {
        var base = repo.head();
        var after = repo.checkout("feature", true).write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.8.0.0/16"))
                .commitAndPush("feature", "try a cidr");
        var response = deliver(push("feature", base, after, "8e1f0a3c-0000-4000-8000-00000000001a"));
        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat((String) body(response).get("ignored")).isEqualTo("not the tracked branch: feature (cairn.yaml tracks main)");
        assertThat(runsStarted()).isZero();
        assertThat(revisions().desired("dev")).isEmpty();
    }

    @Test
    void aPushDeletingAManifestStartsNothingAndSaysSo() throws Exception {
        var base = repo.head();
        var after = repo.delete("infrastructures/prod.yaml").commitAndPush("main", "retire prod");
        var response = deliver(push("main", base, after, "8e1f0a3c-0000-4000-8000-00000000002a"));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        var body = body(response);
        assertThat(body).containsEntry("outcome", "nothing-started");
        assertThat(list(body, "started")).isEmpty();
        assertThat(list(body, "deleted")).singleElement().satisfies(d -> {
            assertThat(d).containsEntry("infrastructure", "prod").containsEntry("manifest", "infrastructures/prod.yaml");
            assertThat((String) d.get("note")).contains("nothing was destroyed");
        });
        assertThat(runsStarted()).isZero();
        assertThat(audit().list("prod", 10)).extracting(AuditLog.Entry::outcome).containsExactly("deleted");
    }

    @Test
    void aPushFromAnotherRepositoryIsIgnoredWhenTheRepoIsConfigured() throws Exception {
        env.put("CAIRN_REPO_URL", "https://github.com/acme/other-infra.git");
        function = new GitWebhookFunction(env);
        var base = repo.head();
        var after = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.7.0.0/16")).commitAndPush("main", "dev");
        var response = deliver(push("main", base, after, "8e1f0a3c-0000-4000-8000-00000000003a"));
        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat((String) body(response).get("ignored")).contains("not the configured repository");
        assertThat(runsStarted()).isZero();
    }

    @Test
    void aFailedFetchForgetsTheDeliverySoItsRetryIsHandled() throws Exception {
        var base = repo.head();
        var after = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.6.0.0/16")).commitAndPush("main", "dev");
        var event = push("main", base, after, "8e1f0a3c-0000-4000-8000-00000000004a");
        var broken = TestEvents.withHeader(TestEvents.edited("github-push.json", b -> {
            b.put("before", base).put("after", after);
            ((com.fasterxml.jackson.databind.node.ObjectNode) b.get("repository")).put("clone_url", tmp.resolve("missing.git").toUri().toString());
        }), "x-github-delivery", "8e1f0a3c-0000-4000-8000-00000000004a");
        var failed = deliver(broken);
        assertThat(failed.getStatusCode()).isEqualTo(500);
        assertThat(body(failed)).containsEntry("outcome", "error");
        assertThat(runsStarted()).isZero();

        var retried = deliver(event);
        assertThat(retried.getStatusCode()).as(retried.getBody()).isEqualTo(202);
        assertThat(runsStarted()).isEqualTo(1);
    }

    @Test
    void aBrokenCairnYamlIsRefusedWith422AndStartsNothing() throws Exception {
        var base = repo.head();
        var after = repo.write("cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: [main\n").commitAndPush("main", "oops");
        var response = deliver(push("main", base, after, "8e1f0a3c-0000-4000-8000-00000000005a"));
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(422);
        assertThat((String) body(response).get("message")).contains("cairn.yaml");
        assertThat(runsStarted()).isZero();
    }

    @Test
    void aGitlabPushHookStartsTheChangedInfrastructure() throws Exception {
        var base = repo.head();
        var after = repo.write("infrastructures/prod.yaml", TestRepo.manifest("prod", "10.5.0.0/16")).commitAndPush("main", "prod");
        var event = TestEvents.edited("gitlab-push.json", b -> {
            b.put("before", base).put("after", after).put("checkout_sha", after);
            ((com.fasterxml.jackson.databind.node.ObjectNode) b.get("project")).put("git_http_url", repo.url());
        });
        var response = deliver(event);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
        assertThat(list(body(response), "started")).singleElement().satisfies(s -> assertThat(s).containsEntry("infrastructure", "prod"));
        assertThat(body(deliver(event))).containsEntry("outcome", "duplicate");
        assertThat(runsStarted()).isEqualTo(1);
        assertThat(audit().list("prod", 10)).singleElement().satisfies(e -> assertThat(e.actor()).isEqualTo("gitlab:jsmith"));
    }
}
