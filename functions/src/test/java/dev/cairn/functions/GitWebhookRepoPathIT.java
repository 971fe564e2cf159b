package dev.cairn.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.AuditLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.cairn.functions.GitWebhookFunctionTest.body;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A monorepo whose {@code cairn.yaml} lives in {@code infra/} ({@code CAIRN_REPO_PATH=infra}),
 * through the handler's public constructor on the local wiring against a real {@code file://}
 * repository: pushes start runs for what changed under {@code infra/} only.
 */
class GitWebhookRepoPathIT {
    @TempDir
    Path tmp;
    TestRepo repo;
    Path state;
    Map<String, String> env;
    String base;

    @BeforeEach
    void setUp() throws Exception {
        repo = TestRepo.twoInfrastructures(tmp.resolve("repo"));
        // move the infrastructure into infra/; the root keeps another project's files (and a cairn.yaml that tracks another branch)
        repo.write("infra/cairn.yaml", TestRepo.CONFIG)
                .write("infra/infrastructures/dev.yaml", TestRepo.manifest("dev", "10.0.0.0/16"))
                .write("infra/infrastructures/prod.yaml", TestRepo.manifest("prod", "10.1.0.0/16"))
                .write("infra/modules/network/main.tf", "variable \"cidr\" {}\nresource \"terraform_data\" \"vpc\" { input = var.cidr }\n")
                .delete("infrastructures/dev.yaml").delete("infrastructures/prod.yaml")
                .write("infrastructures/root.yaml", TestRepo.manifest("root", "10.2.0.0/16"))
                .write("cairn.yaml", TestRepo.CONFIG.replace("branch: main", "branch: elsewhere"))
                .write("README.md", "the monorepo\n")
                .write("app/main.go", "package main\n");
        base = repo.commitAndPush("main", "infrastructure moves to infra/");
        state = tmp.resolve("state");
        env = new HashMap<>(Map.of("CAIRN_STATE_DIR", state.toString(), "CAIRN_GITHUB_WEBHOOK_SECRET", TestEvents.SECRET,
                "CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString(), "CAIRN_REPO_URL", repo.url(), "CAIRN_REPO_PATH", "infra"));
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    APIGatewayV2HTTPEvent push(String before, String after, String delivery) {
        var event = TestEvents.edited("github-push.json", b -> {
            b.put("ref", "refs/heads/main").put("before", before).put("after", after);
            ((com.fasterxml.jackson.databind.node.ObjectNode) b.get("repository")).put("clone_url", repo.url());
        });
        return TestEvents.withHeader(event, "x-github-delivery", delivery);
    }

    long queued() throws Exception {
        var queue = state.resolve("queue");
        if (!Files.isDirectory(queue)) return 0;
        try (var files = Files.list(queue)) {
            return files.filter(f -> f.toString().endsWith(".json")).count();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> started(Map<String, Object> body) {
        return (List<Map<String, Object>>) body.get("started");
    }

    @Test
    void aPushChangingAManifestUnderThePathStartsThatInfrastructure() throws Exception {
        var function = new GitWebhookFunction(env);
        var after = repo.write("infra/infrastructures/dev.yaml", TestRepo.manifest("dev", "10.9.0.0/16")).commitAndPush("main", "dev: new cidr");
        var response = function.handleRequest(push(base, after, "5a1f0a3c-0000-4000-8000-000000000001"), null);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
        var body = body(response);
        assertThat(started(body)).singleElement().satisfies(s -> assertThat(s).containsEntry("infrastructure", "dev")
                .containsEntry("execution", ExecutionNames.of("dev", RunAction.APPLY, after, "push")));
        assertThat(body.get("unchanged")).isEqualTo(List.of("prod"));
        assertThat(queued()).isEqualTo(1);

        // a module under the path (paths in manifests stay relative to infra/) changes both
        var module = repo.write("infra/modules/network/main.tf", "variable \"cidr\" {}\nresource \"terraform_data\" \"net\" { input = var.cidr }\n")
                .commitAndPush("main", "network module");
        var both = body(function.handleRequest(push(after, module, "5a1f0a3c-0000-4000-8000-000000000002"), null));
        assertThat(started(both)).extracting(s -> s.get("infrastructure")).containsExactly("dev", "prod");
        assertThat(queued()).isEqualTo(3);
    }

    @Test
    void aPushChangingOnlyFilesOutsideThePathStartsNothing() throws Exception {
        var function = new GitWebhookFunction(env);
        var after = repo.write("README.md", "the monorepo, documented\n").write("app/main.go", "package main\n\nfunc main() {}\n")
                .write("infrastructures/root.yaml", TestRepo.manifest("root", "10.3.0.0/16"))
                .write("modules/network/main.tf", "# the root's copy\n")
                .commitAndPush("main", "app work");
        var response = function.handleRequest(push(base, after, "5a1f0a3c-0000-4000-8000-000000000003"), null);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        var body = body(response);
        assertThat(body).containsEntry("outcome", "nothing-started");
        assertThat(started(body)).isEmpty();
        assertThat(body.get("unchanged")).isEqualTo(List.of("dev", "prod"));
        assertThat(queued()).isZero();
        assertThat(new Workspace(state).audit().list("-", 5)).extracting(AuditLog.Entry::details)
                .anySatisfy(d -> assertThat(d).containsEntry("reason", "no infrastructure changed under infra"));
    }

    @Test
    void aRepositoryPathWithDotDotIsRefusedAtInitAndEveryDeliveryAnswered503() throws Exception {
        for (var bad : List.of("../infra", "/infra", "infra/../..")) {
            env.put("CAIRN_REPO_PATH", bad);
            var function = new GitWebhookFunction(env);
            var after = repo.head();
            var response = function.handleRequest(push(base, after, "5a1f0a3c-0000-4000-8000-00000000000" + (4 + bad.length() % 5)), null);
            assertThat(response.getStatusCode()).isEqualTo(503);
            assertThat(body(response)).containsEntry("outcome", "not-configured");
        }
        assertThat(queued()).isZero();
    }
}
