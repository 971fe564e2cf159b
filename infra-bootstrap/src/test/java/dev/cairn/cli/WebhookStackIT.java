package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.RunAction;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The git webhook end to end, as a user runs it without AWS: {@code template.yaml} deployed into
 * moto by {@code bin/deploy-emulated} with the real function artifact, the webhook secret stored in
 * Secrets Manager under the name the template's parameter gives, and signed GitHub push events
 * handed to the function by {@code cairn invoke GitWebhookFunction --stack}, each in a JVM of its
 * own (a fresh Lambda container). Every table, state machine and role comes from the template.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookStackIT {
    static final String STACK = "cairn-e2e";
    static final String SECRET = "e2e-webhook-secret-" + UUID.randomUUID();
    static final PersonIdent AUTHOR = new PersonIdent("Cairn Test", "test@cairn.dev", Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    Path tmp;
    MotoServer moto;
    EmulatedStacks.Deployed deployed;
    Path work;
    Path bare;
    Git git;

    @BeforeAll
    void deploy(@TempDir Path dir) throws Exception {
        tmp = dir;
        bare = dir.resolve("origin.git");
        Git.init().setBare(true).setInitialBranch("main").setGitDir(bare.toFile()).setDirectory(bare.toFile()).call().close();
        work = dir.resolve("work");
        git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
        write("cairn.yaml", "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\ndefaults:\n  provider: { cloud: none }\n");
        write("infrastructures/dev.yaml", manifest("dev", "10.0.0.0/16"));
        write("infrastructures/prod.yaml", manifest("prod", "10.1.0.0/16"));
        write("modules/network/main.tf", "variable \"cidr\" {}\nresource \"terraform_data\" \"vpc\" { input = var.cidr }\n");
        commitAndPush("main", "two infrastructures");

        var artifact = EmulatedStacks.REPO.resolve("functions/target/cairn-functions.jar");
        assertThat(artifact).as("the function artifact (built by the functions module before this one)").exists();
        moto = MotoServer.start(dir.resolve("moto.log"));
        deployed = EmulatedStacks.deploy(moto, EmulatedStacks.REPO.resolve("template.yaml"), STACK, artifact, dir,
                "--parameter", "RepoUrl=" + repoUrl());
        assertThat(deployed.result().path("status").asText()).isEqualTo("CREATE_COMPLETE");
        // what the deploy docs ask of the operator: the webhook secret, stored under the parameter's name
        try (var secrets = client(SecretsManagerClient.builder())) {
            secrets.createSecret(r -> r.name("cairn/github-webhook-secret").secretString(SECRET));
        }
    }

    @AfterAll
    void stop() {
        if (git != null) git.close();
        if (moto != null) moto.close();
    }

    @Test
    @Order(1)
    void onePushDeliveredTenTimesStartsExactlyOneExecutionForTheChangedInfrastructure() throws Exception {
        var before = head();
        write("infrastructures/dev.yaml", manifest("dev", "10.9.0.0/16"));
        var after = commitAndPush("main", "dev: a new CIDR");
        var event = pushEvent("refs/heads/main", before, after, UUID.randomUUID().toString());

        var first = invoke(event);
        assertThat(first.path("statusCode").asInt()).as(first.toString()).isEqualTo(202);
        var body = Json.MAPPER.readTree(first.path("body").asText());
        assertThat(body.path("outcome").asText()).isEqualTo("started");
        assertThat(body.path("started")).hasSize(1);
        assertThat(body.at("/started/0/infrastructure").asText()).isEqualTo("dev");
        assertThat(body.path("unchanged").toString()).contains("prod");
        for (int i = 2; i <= 10; i++) {
            var again = Json.MAPPER.readTree(invoke(event).path("body").asText());
            assertThat(again.path("outcome").asText()).as("delivery %d", i).isEqualTo("duplicate");
        }

        var executions = executions();
        assertThat(executions).hasSize(1);
        assertThat(executions.get(0).name()).isEqualTo(ExecutionNames.of("dev", RunAction.APPLY, after, "push"));
        // the desired revision and the audit trail are in the stack's table
        try (var dynamo = client(DynamoDbClient.builder())) {
            var items = dynamo.scan(r -> r.tableName(deployed.output("TableName"))).items();
            assertThat(items).anySatisfy(item -> {
                assertThat(item.get("sk").s()).isEqualTo("REVISION");
                assertThat(item.get("commit").s()).isEqualTo(after);
            });
            assertThat(items.stream().filter(item -> item.get("sk").s().startsWith("AUDIT#"))
                    .map(item -> item.get("outcome").s())).contains("started", "duplicate");
        }
    }

    @Test
    @Order(2)
    void aPushToAnotherBranchStartsNothing() throws Exception {
        var before = head();
        write("infrastructures/prod.yaml", manifest("prod", "10.8.0.0/16"));
        var after = commitAndPush("feature", "prod on a branch");
        var response = invoke(pushEvent("refs/heads/feature", before, after, UUID.randomUUID().toString()));
        var body = Json.MAPPER.readTree(response.path("body").asText());
        assertThat(response.path("statusCode").asInt()).isEqualTo(202);
        assertThat(body.path("ignored").asText()).contains("not the tracked branch").contains("feature");
        assertThat(executions()).hasSize(1);
    }

    @Test
    @Order(3)
    void aPushThatDeletesAManifestStartsNothingAndSaysSo() throws Exception {
        git.checkout().setName("main").call();
        var before = head();
        git.rm().addFilepattern("infrastructures/prod.yaml").call();
        var after = commitAndPush("main", "remove prod");
        var response = invoke(pushEvent("refs/heads/main", before, after, UUID.randomUUID().toString()));
        var body = Json.MAPPER.readTree(response.path("body").asText());
        assertThat(body.path("started")).isEmpty();
        assertThat(body.at("/deleted/0/infrastructure").asText()).isEqualTo("prod");
        assertThat(body.at("/deleted/0/note").asText()).contains("nothing was destroyed");
        assertThat(executions()).hasSize(1);
    }

    @Test
    @Order(4)
    void aForgedSignatureIsRefusedAndRecordsNothing() throws Exception {
        var event = (ObjectNode) pushEvent("refs/heads/main", head(), head(), UUID.randomUUID().toString());
        ((ObjectNode) event.path("headers")).put("x-hub-signature-256", "sha256=" + "0".repeat(64));
        int auditBefore = auditEntries();
        var response = invoke(event);
        assertThat(response.path("statusCode").asInt()).isEqualTo(401);
        assertThat(auditEntries()).isEqualTo(auditBefore);
        assertThat(response.toString()).doesNotContain(SECRET);
    }

    // ------------------------------------------------------------------ helpers

    private JsonNode invoke(JsonNode event) throws Exception {
        var file = Files.createTempFile(tmp, "event", ".json");
        Files.writeString(file, Json.MAPPER.writeValueAsString(event));
        var run = EmulatedStacks.cairn(moto, Map.of("CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString()), tmp,
                "invoke", "GitWebhookFunction", "--stack", STACK, "--template", EmulatedStacks.REPO.resolve("template.yaml").toString(),
                "--event", file.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).doesNotContain(SECRET);
        return Json.MAPPER.readTree(run.out());
    }

    private JsonNode pushEvent(String ref, String before, String after, String delivery) throws Exception {
        var payload = Json.MAPPER.createObjectNode();
        payload.put("ref", ref).put("before", before).put("after", after).put("created", false).put("deleted", false);
        payload.putObject("repository").put("full_name", "acme/infra").put("clone_url", repoUrl()).put("default_branch", "main");
        payload.putObject("pusher").put("name", "octocat");
        var body = Json.MAPPER.writeValueAsString(payload);
        var event = (ObjectNode) Json.MAPPER.readTree(Files.readString(EmulatedStacks.REPO.resolve("events/github-push.json")));
        event.put("body", body);
        var headers = (ObjectNode) event.path("headers");
        headers.put("x-github-delivery", delivery).put("content-length", String.valueOf(body.getBytes(StandardCharsets.UTF_8).length))
                .put("x-hub-signature-256", "sha256=" + hmac(body));
        return event;
    }

    private static String hmac(String body) throws Exception {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private List<ExecutionListItem> executions() {
        try (var sfn = client(SfnClient.builder())) {
            return sfn.listExecutions(r -> r.stateMachineArn(deployed.output("StateMachineArn"))).executions();
        }
    }

    private int auditEntries() {
        try (var dynamo = client(DynamoDbClient.builder())) {
            return (int) dynamo.scan(r -> r.tableName(deployed.output("TableName"))).items().stream()
                    .filter(item -> item.get("sk").s().startsWith("AUDIT#")).count();
        }
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>
            & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(URI.create(moto.endpoint())).region(Region.of(EmulatedStacks.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    private static String manifest(String name, String cidr) {
        return """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: %s
                spec:
                  modules:
                    - name: network
                      source: ./modules/network
                      inputs:
                        cidr: "%s"
                """.formatted(name, cidr);
    }

    private String repoUrl() {
        return bare.toUri().toString();
    }

    private void write(String path, String text) throws Exception {
        var file = work.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private String head() throws Exception {
        return git.getRepository().resolve("HEAD").name();
    }

    private String commitAndPush(String branch, String message) throws Exception {
        if (!branch.equals(git.getRepository().getBranch())) {
            git.checkout().setCreateBranch(git.getRepository().exactRef("refs/heads/" + branch) == null).setName(branch).call();
        }
        git.add().addFilepattern(".").call();
        var commit = git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).call();
        git.push().setRemote(repoUrl()).setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch)).call();
        return commit.name();
    }
}
