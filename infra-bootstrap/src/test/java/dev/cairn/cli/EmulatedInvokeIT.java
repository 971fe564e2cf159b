package dev.cairn.cli;

import dev.cairn.aws.testing.MotoServer;
import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * cairn invoke --stack against a stack deployed into moto by bin/deploy-emulated: the test
 * template (a handler that echoes its environment) resolved against the stack's real physical
 * ids, in a CLI of its own JVM so that exported variables are real process environment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmulatedInvokeIT {
    static final String STACK = "invoke-it";
    static final Path TEMPLATE = Path.of("src/test/resources/invoke/template.yaml").toAbsolutePath();
    static final Path EVENT = Path.of("src/test/resources/invoke/apigw-v2-event.json").toAbsolutePath();

    /** One folder for the class's moto log, jar and translated template (filled in by {@code @BeforeAll}). */
    Path tmp;

    MotoServer moto;
    EmulatedStacks.Deployed deployed;

    @BeforeAll
    void deploy(@TempDir Path dir) throws Exception {
        tmp = dir;
        moto = MotoServer.start(tmp.resolve("moto.log"));
        deployed = EmulatedStacks.deploy(moto, TEMPLATE, STACK, EmulatedStacks.tinyJar(tmp), tmp);
    }

    @AfterAll
    void stop() {
        if (moto != null) moto.close();
    }

    /** The physical id the emulator's CloudFormation reports, read with the plain SDK. */
    private String physicalId(String logicalId) {
        try (var cfn = CloudFormationClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            return cfn.describeStackResource(r -> r.stackName(STACK).logicalResourceId(logicalId)).stackResourceDetail().physicalResourceId();
        }
    }

    @Test
    void theEchoedEnvironmentNamesTheStacksTableBucketAndStateMachine() throws Exception {
        var run = EmulatedStacks.cairn(moto, Map.of(), tmp, "invoke", "EchoFunction", "--stack", STACK,
                "--template", TEMPLATE.toString(), "--event", EVENT.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        var response = Json.MAPPER.readTree(run.out());
        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        var body = Json.MAPPER.readTree(response.path("body").asText());
        var env = body.path("env");
        var table = physicalId("Table");
        var bucket = physicalId("Bucket");
        var machine = physicalId("Machine");
        assertThat(table).startsWith(STACK + "-Table-");
        assertThat(env.path("CAIRN_TABLE").asText()).isEqualTo(table);
        assertThat(env.path("CAIRN_BUCKET").asText()).isEqualTo(bucket);
        assertThat(env.path("CAIRN_STATE_MACHINE_ARN").asText()).isEqualTo(machine).startsWith("arn:aws:states:us-east-1:123456789012:stateMachine:");
        assertThat(env.path("CAIRN_TABLE_ARN").asText()).isEqualTo("arn:aws:dynamodb:us-east-1:123456789012:table/" + table);
        assertThat(env.path("CAIRN_OBJECTS").asText()).isEqualTo("arn:aws:s3:::" + bucket + "/runs/us-east-1/${literal}");
        assertThat(env.path("CAIRN_MACHINE_NAME").asText()).isEqualTo(machine.substring(machine.lastIndexOf(':') + 1));
        assertThat(env.path("AWS_ENDPOINT_URL").asText()).isEqualTo(moto.endpoint());
        // the function's name in the stack, as Lambda would report it
        assertThat(body.path("functionName").asText()).isEqualTo(physicalId("EchoFunction"));
        assertThat(run.err()).doesNotContain("left unset");
        assertThat(deployed.result().path("status").asText()).isEqualTo("CREATE_COMPLETE");
    }

    @Test
    void aReferenceToTheApiTheEmulatorSkippedIsAnErrorAndAnExportedValueIsTheWayOut() throws Exception {
        var run = EmulatedStacks.cairn(moto, Map.of(), tmp, "invoke", "ApiUrlFunction", "--stack", STACK,
                "--template", TEMPLATE.toString(), "--event", EVENT.toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(Cairn.INVALID);
        assertThat(run.err()).contains("resource-not-in-stack")
                .contains("CAIRN_API refers to resource Api (AWS::Serverless::HttpApi), which stack `invoke-it` does not have")
                .contains("export CAIRN_API=VALUE");
        assertThat(run.out()).isEmpty();

        var exported = EmulatedStacks.cairn(moto, Map.of("CAIRN_API", "http://127.0.0.1:1/api"), tmp, "invoke", "ApiUrlFunction",
                "--stack", STACK, "--template", TEMPLATE.toString(), "--event", EVENT.toString(), "-o", "json");
        assertThat(exported.exit()).as(exported.err()).isZero();
        var env = Json.MAPPER.readTree(Json.MAPPER.readTree(exported.out()).at("/response/body").asText()).path("env");
        assertThat(env.path("CAIRN_API").asText()).isEqualTo("http://127.0.0.1:1/api");
        assertThat(env.path("CAIRN_TABLE").asText()).isEqualTo(physicalId("Table"));
    }

    @Test
    void aStackThatIsNotThereIsAUsageError() throws Exception {
        var run = EmulatedStacks.cairn(moto, Map.of(), tmp, "invoke", "EchoFunction", "--stack", "no-such-stack",
                "--template", TEMPLATE.toString(), "--event", EVENT.toString());
        assertThat(run.exit()).isEqualTo(Cairn.INVALID);
        assertThat(run.err()).contains("cannot read stack `no-such-stack`").contains("bin/deploy-emulated");
    }
}
