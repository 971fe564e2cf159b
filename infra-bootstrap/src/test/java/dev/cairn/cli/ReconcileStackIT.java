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
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconcile side of template.yaml deployed into moto with target roles named: the task
 * function, the EventBridge rule for executions that end badly, the roles of the state machine
 * and of the stage builds, and the CodeBuild project (which moto skips: checked in the translated
 * template).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcileStackIT {
    static final String STACK = "cairn-rec";
    static final String TARGET = "arn:aws:iam::210987654321:role/cairn-target";
    MotoServer moto;
    EmulatedStacks.Deployed deployed;
    JsonNode translated;

    @BeforeAll
    void deploy(@TempDir Path tmp) throws Exception {
        moto = MotoServer.start(tmp.resolve("moto.log"));
        deployed = EmulatedStacks.deploy(moto, EmulatedStacks.REPO.resolve("template.yaml"), STACK, EmulatedStacks.tinyJar(tmp), tmp,
                "--parameter", "TargetRoleArns=" + TARGET);
        translated = Json.MAPPER.readTree(deployed.translated().toFile());
    }

    @AfterAll
    void stop() {
        if (moto != null) moto.close();
    }

    private JsonNode resource(String id) {
        var r = translated.at("/Resources/" + id);
        assertThat(r.isMissingNode()).as(id).isFalse();
        return r;
    }

    private String rolePolicy(IamClient iam, String rolePrefix, String policy) {
        var role = iam.listRoles().roles().stream().map(r -> r.roleName()).filter(n -> n.startsWith(STACK + "-" + rolePrefix + "-"))
                .findFirst().orElseThrow();
        return URLDecoder.decode(iam.getRolePolicy(r -> r.roleName(role).policyName(policy)).policyDocument(), StandardCharsets.UTF_8);
    }

    @Test
    void theTaskFunctionRunsTheDispatcherAndAnEventBridgeRuleSendsItBadlyEndedExecutions() {
        assertThat(deployed.result().path("status").asText()).isEqualTo("CREATE_COMPLETE");
        try (var lambda = LambdaClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            var fn = lambda.getFunctionConfiguration(r -> r.functionName(STACK + "-reconcile-task"));
            assertThat(fn.handler()).isEqualTo("dev.cairn.functions.reconcile.ReconcileTaskFunction::handleRequest");
            assertThat(fn.timeout()).isEqualTo(120);
            assertThat(fn.environment().variables()).containsEntry("CAIRN_BUCKET", deployed.output("BucketName"))
                    .containsEntry("CAIRN_APPROVAL_TIMEOUT_SECONDS", "86400").containsKey("CAIRN_TABLE");
        }
        var rule = resource("ReconcileTaskFunctionExecutionEnded");
        assertThat(rule.path("Type").asText()).isEqualTo("AWS::Events::Rule");
        var pattern = rule.at("/Properties/EventPattern");
        assertThat(pattern.at("/detail-type/0").asText()).isEqualTo("Step Functions Execution Status Change");
        var statuses = new ArrayList<String>();
        pattern.at("/detail/status").forEach(s -> statuses.add(s.asText()));
        assertThat(statuses).containsExactlyInAnyOrder("ABORTED", "TIMED_OUT", "FAILED");
        assertThat(resource("ReconcileTaskFunction").at("/Properties/SnapStart").isMissingNode())
                .as("SnapStart is stripped only for the emulator").isTrue();
    }

    @Test
    void theStateMachineMayInvokeTheTaskFunctionRunTheStageBuildsAndTheSyncRuleOnly() {
        try (var iam = IamClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            var machine = rolePolicy(iam, "ReconcileStateMachineRole", "reconcile-tasks");
            assertThat(machine).contains("lambda:InvokeFunction").contains(":function:" + STACK + "-reconcile-task")
                    .contains("codebuild:StartBuild").contains(":project/" + STACK + "-stage")
                    .contains("events:PutTargets").contains(":rule/StepFunctionsGetEventForCodeBuildStartBuildRule");
            var build = rolePolicy(iam, "StageBuildRole", "stage-build");
            assertThat(build).contains("sts:AssumeRole").contains(TARGET)
                    .contains("arn:aws:s3:::" + deployed.output("BucketName") + "/plans/*")
                    .contains("arn:aws:s3:::" + deployed.output("BucketName") + "/artifacts/*")
                    .doesNotContain("secretsmanager"); // no stage secret named
            var task = rolePolicy(iam, "ReconcileTaskFunctionRole", "reconcile-task");
            assertThat(task).contains("dynamodb:UpdateItem").contains("/bundles/*").doesNotContain("sts:AssumeRole");
        }
    }

    @Test
    void theStageBuildProjectIsInTheTranslatedTemplateWithJava21CacheAndBuildspecFromTheBucket() {
        var props = resource("StageBuild").path("Properties");
        assertThat(props.at("/Environment/Image").asText()).isEqualTo("aws/codebuild/amazonlinux-x86_64-standard:5.0");
        assertThat(props.at("/Cache/Type").asText()).isEqualTo("S3");
        assertThat(props.at("/Source/Type").asText()).isEqualTo("NO_SOURCE");
        assertThat(props.at("/Source/BuildSpec").toString()).contains("/artifacts/buildspec.yml");
        assertThat(props.at("/Environment/EnvironmentVariables").toString()).contains("CAIRN_JAR_KEY")
                .contains("{\"Fn::If\":[\"HasStageSecrets\",{\"Name\":\"CAIRN_STAGE_SECRETS\",\"Type\":\"SECRETS_MANAGER\"");
        assertThat(deployed.log()).contains("StageBuild (AWS::CodeBuild::Project)");
    }
}
