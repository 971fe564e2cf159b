package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduled reconcile of template.yaml deployed into moto with its own rate and the schedule
 * disabled: the function, its EventBridge rule (rate and state from the parameters) and its role,
 * which may start and read executions and read/put table items, nothing more.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleStackIT {
    static final String STACK = "cairn-sched";
    MotoServer moto;
    EmulatedStacks.Deployed deployed;
    JsonNode translated;
    StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

    @BeforeAll
    void deploy(@TempDir Path tmp) throws Exception {
        moto = MotoServer.start(tmp.resolve("moto.log"));
        deployed = EmulatedStacks.deploy(moto, EmulatedStacks.REPO.resolve("template.yaml"), STACK, EmulatedStacks.tinyJar(tmp), tmp,
                "--parameter", "ScheduleRate=rate(30 minutes)", "--parameter", "ScheduleEnabled=false");
        translated = Json.MAPPER.readTree(deployed.translated().toFile());
    }

    @AfterAll
    void stop() {
        if (moto != null) moto.close();
    }

    @Test
    void theFunctionRunsTheScheduleWithTheStacksRateAndStateMachine() {
        assertThat(deployed.result().path("status").asText()).isEqualTo("CREATE_COMPLETE");
        try (var lambda = LambdaClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            var fn = lambda.getFunctionConfiguration(r -> r.functionName(STACK + "-schedule"));
            assertThat(fn.handler()).isEqualTo("dev.cairn.functions.schedule.ScheduleFunction::handleRequest");
            assertThat(fn.timeout()).isEqualTo(120);
            assertThat(fn.environment().variables()).containsEntry("CAIRN_SCHEDULE_RATE", "rate(30 minutes)")
                    .containsEntry("CAIRN_STATE_MACHINE_ARN", deployed.output("StateMachineArn")).containsKey("CAIRN_TABLE")
                    .containsKey("CAIRN_REPO_URL");
        }
    }

    @Test
    void anEventBridgeRuleTicksAtTheRateAndIsDisabledByTheParameter() {
        var rule = translated.at("/Resources/ScheduleFunctionTick");
        assertThat(rule.path("Type").asText()).isEqualTo("AWS::Events::Rule");
        assertThat(rule.at("/Properties/ScheduleExpression").toString()).contains("ScheduleRate");
        assertThat(rule.at("/Properties/State").toString()).contains("ScheduleOn").contains("DISABLED");
        try (var cfn = CloudFormationClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            var created = cfn.listStackResourcesPaginator(b -> b.stackName(STACK)).stackResourceSummaries().stream()
                    .filter(r -> "ScheduleFunctionTick".equals(r.logicalResourceId())).findFirst().orElseThrow();
            assertThat(created.resourceType()).isEqualTo("AWS::Events::Rule");
            assertThat(created.resourceStatusAsString()).isEqualTo("CREATE_COMPLETE");
        }
    }

    @Test
    void theRoleStartsAndReadsExecutionsAndReadsThePutsItemsOnly() {
        try (var iam = IamClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            var role = iam.listRoles().roles().stream().map(r -> r.roleName()).filter(n -> n.startsWith(STACK + "-ScheduleFunctionRole-"))
                    .findFirst().orElseThrow();
            var policy = URLDecoder.decode(iam.getRolePolicy(r -> r.roleName(role).policyName("schedule")).policyDocument(), StandardCharsets.UTF_8);
            assertThat(policy).contains("states:StartExecution").contains("states:DescribeExecution")
                    .contains("dynamodb:GetItem").contains("dynamodb:PutItem").contains("dynamodb:Query")
                    .doesNotContain("dynamodb:DeleteItem").doesNotContain("dynamodb:UpdateItem")
                    .doesNotContain("s3:").doesNotContain("kms:").doesNotContain("secretsmanager") // no git token named
                    .doesNotContain("\"*\"");
        }
    }
}
