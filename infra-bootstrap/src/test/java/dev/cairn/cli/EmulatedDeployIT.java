package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.aws.testing.MotoServer;
import dev.cairn.cli.invoke.DeployedStack;
import dev.cairn.cli.invoke.EnvironmentResolver;
import dev.cairn.cli.invoke.SamTemplate;
import dev.cairn.reconciler.manifest.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's template.yaml deployed into one moto server through bin/deploy-emulated, then
 * read back: every resource checked here was created by the template, never by the test. What
 * moto's CloudFormation accepts but drops (TTL, PITR, versioning, public access block, arm64, the
 * state machine's logging) is checked in the translated template the emulator was given.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmulatedDeployIT {
    static final String STACK = "cairn-it";
    static final List<String> APPLY_ROLES = List.of("arn:aws:iam::111111111111:role/cairn-apply", "arn:aws:iam::222222222222:role/cairn-apply");

    /** One folder for the class's moto log, jar and translated template (filled in by {@code @BeforeAll}). */
    Path tmp;

    MotoServer moto;
    EmulatedStacks.Deployed deployed;
    JsonNode translated;
    long deploySeconds;

    @BeforeAll
    void deployTheTemplate(@TempDir Path dir) throws Exception {
        tmp = dir;
        moto = MotoServer.start(tmp.resolve("moto.log"));
        long started = System.nanoTime();
        // apply roles and forge token secrets named, so the preview role's Deny and the functions' token grants are deployed
        deployed = EmulatedStacks.deploy(moto, EmulatedStacks.REPO.resolve("template.yaml"), STACK, EmulatedStacks.tinyJar(tmp), tmp,
                "--parameter", "TargetRoleArns=" + String.join(",", APPLY_ROLES),
                "--parameter", "GitHubTokenSecretName=cairn/github-token", "--parameter", "GitLabTokenSecretName=cairn/gitlab-token");
        deploySeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        translated = Json.MAPPER.readTree(deployed.translated().toFile());
    }

    @AfterAll
    void stopMoto() {
        if (moto != null) moto.close();
    }

    private <B extends AwsClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(URI.create(moto.endpoint())).region(Region.of(EmulatedStacks.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .build();
    }

    private JsonNode translatedResource(String logicalId) {
        var resource = translated.at("/Resources/" + logicalId);
        assertThat(resource.isMissingNode()).as(logicalId + " in the translated template").isFalse();
        return resource;
    }

    @Test
    void theStackReachesCreateCompleteAndSaysWhatTheEmulatorSkipped() {
        assertThat(deployed.result().path("status").asText()).isEqualTo("CREATE_COMPLETE");
        assertThat(deploySeconds).isLessThan(120);
        var skipped = new ArrayList<String>();
        deployed.result().path("skipped").forEach(s -> skipped.add(s.path("logicalId").asText() + " " + s.path("type").asText()));
        assertThat(skipped).containsExactlyInAnyOrder("BucketPolicy AWS::S3::BucketPolicy", "WebhookApi AWS::ApiGatewayV2::Api",
                "WebhookApiApiGatewayDefaultStage AWS::ApiGatewayV2::Stage", "StageBuild AWS::CodeBuild::Project",
                "PreviewBuild AWS::CodeBuild::Project");
        assertThat(deployed.log()).contains("stripped GitWebhookFunction.AutoPublishAlias").contains("stripped GitWebhookFunction.SnapStart")
                .contains("inlined statemachine/reconcile.asl.json").contains("applied ReconcileStateMachine.DefinitionSubstitutions")
                .contains("the emulator skipped these resources");
        assertThat(deployed.output("TableName")).startsWith(STACK + "-Table-");
        assertThat(deployed.output("StateMachineArn")).endsWith(":stateMachine:" + STACK + "-reconcile");
        // the API is among what moto skips, so the webhook URLs keep the reference
        assertThat(deployed.output("GitHubWebhookUrl")).endsWith("/webhooks/github");
    }

    @Test
    void theTableHasThePkSkKeyAndTheTemplateAsksForTtlAndPitr() {
        try (DynamoDbClient dynamo = client(DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()))) {
            var table = dynamo.describeTable(r -> r.tableName(deployed.output("TableName"))).table();
            assertThat(table.keySchema()).extracting(k -> k.attributeName() + ":" + k.keyType())
                    .containsExactly("pk:" + KeyType.HASH, "sk:" + KeyType.RANGE);
            assertThat(table.billingModeSummary().billingModeAsString()).isEqualTo("PAY_PER_REQUEST");
        }
        var props = translatedResource("Table").path("Properties");
        assertThat(props.at("/TimeToLiveSpecification/AttributeName").asText()).isEqualTo("expiresAt");
        assertThat(props.at("/TimeToLiveSpecification/Enabled").asBoolean()).isTrue();
        assertThat(props.at("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled").asBoolean()).isTrue();
    }

    @Test
    void theBucketIsEncryptedWithTheStacksRotatingKey() {
        var keyId = deployed.output("KmsKeyId");
        try (S3Client s3 = client(S3Client.builder().forcePathStyle(true).httpClientBuilder(UrlConnectionHttpClient.builder()));
             KmsClient kms = client(KmsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()))) {
            var rule = s3.getBucketEncryption(r -> r.bucket(deployed.output("BucketName")))
                    .serverSideEncryptionConfiguration().rules().getFirst().applyServerSideEncryptionByDefault();
            assertThat(rule.sseAlgorithmAsString()).isEqualTo("aws:kms");
            assertThat(rule.kmsMasterKeyID()).endsWith(":key/" + keyId);
            assertThat(kms.getKeyRotationStatus(r -> r.keyId(keyId)).keyRotationEnabled()).isTrue();
            assertThat(kms.listAliases().aliases()).anyMatch(a -> a.aliasName().equals("alias/" + STACK + "-cairn") && keyId.equals(a.targetKeyId()));
        }
        var props = translatedResource("Bucket").path("Properties");
        assertThat(props.at("/VersioningConfiguration/Status").asText()).isEqualTo("Enabled");
        assertThat(props.at("/PublicAccessBlockConfiguration/RestrictPublicBuckets").asBoolean()).isTrue();
        var policy = translatedResource("BucketPolicy").at("/Properties/PolicyDocument/Statement/0");
        assertThat(policy.path("Effect").asText()).isEqualTo("Deny");
        assertThat(policy.at("/Condition/Bool/aws:SecureTransport").asText()).isEqualTo("false");
    }

    @Test
    void theRolesAreLeastPrivilegeAndNamedResourcesOnly() throws Exception {
        try (IamClient iam = client(IamClient.builder().region(Region.AWS_GLOBAL).httpClientBuilder(UrlConnectionHttpClient.builder()))) {
            var roles = iam.listRoles().roles().stream().map(r -> r.roleName()).toList();
            var webhookRole = roles.stream().filter(n -> n.startsWith(STACK + "-GitWebhookFunctionRole-")).findFirst().orElseThrow();
            assertThat(roles).anyMatch(n -> n.startsWith(STACK + "-ReconcileStateMachineRole-"));
            var document = URLDecoder.decode(iam.getRolePolicy(r -> r.roleName(webhookRole).policyName("git-webhook")).policyDocument(),
                    StandardCharsets.UTF_8);
            var tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/" + deployed.output("TableName");
            assertThat(document).contains("dynamodb:PutItem").contains(tableArn)
                    // the webhook reads no bucket and no key: deliveries, revisions and audit are table items
                    .doesNotContain("s3:").doesNotContain("kms:").doesNotContain("dynamodb:Scan")
                    .contains("states:StartExecution").contains(deployed.output("StateMachineArn"))
                    .contains(":execution:" + STACK + "-reconcile:*")
                    .contains(":secret:cairn/github-webhook-secret-??????")
                    .doesNotContain(":secret:-??????"); // the optional git token secret is absent when its name is empty
        }
        // no statement of any role allows every action
        translated.path("Resources").forEach(resource -> {
            if (!resource.path("Type").asText().equals("AWS::IAM::Role")) return;
            resource.at("/Properties/Policies").forEach(p -> p.at("/PolicyDocument/Statement").forEach(s ->
                    assertThat(s.path("Action").toString()).doesNotContain("\"*\"")));
        });
    }

    @Test
    void theFunctionRunsJavaWithItsHandlerAndAnEnvironmentThatNamesTheStacksResources() {
        try (LambdaClient lambda = client(LambdaClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()))) {
            var fn = lambda.getFunctionConfiguration(r -> r.functionName(STACK + "-git-webhook"));
            assertThat(fn.handler()).isEqualTo("dev.cairn.functions.GitWebhookFunction::handleRequest");
            assertThat(fn.runtimeAsString()).isEqualTo("java21");
            assertThat(fn.memorySize()).isEqualTo(1024);
            assertThat(fn.timeout()).isEqualTo(15);
            assertThat(fn.role()).contains(":role/" + STACK + "-GitWebhookFunctionRole-");
            var env = fn.environment().variables();
            assertThat(env).containsEntry("CAIRN_TABLE", deployed.output("TableName"))
                    .containsEntry("CAIRN_BUCKET", deployed.output("BucketName"))
                    .containsEntry("CAIRN_KMS_KEY_ID", deployed.output("KmsKeyId"))
                    .containsEntry("CAIRN_STATE_MACHINE_ARN", deployed.output("StateMachineArn"))
                    .containsEntry("CAIRN_GITHUB_WEBHOOK_SECRET_NAME", "cairn/github-webhook-secret")
                    .containsEntry("POWERTOOLS_SERVICE_NAME", "cairn-git-webhook")
                    .doesNotContainKey("CAIRN_GIT_TOKEN_NAME");
        }
        var props = translatedResource("GitWebhookFunction").path("Properties");
        assertThat(props.at("/Architectures/0").asText()).isEqualTo("arm64");
        assertThat(props.at("/Code/S3Bucket").asText()).isEqualTo("cairn-emulated-artifacts");
    }

    @Test
    void cairnInvokeResolvesTheFunctionsEnvironmentExactlyAsCloudFormationDid() {
        var template = SamTemplate.load(EmulatedStacks.REPO.resolve("template.yaml"));
        try (CloudFormationClient cfn = client(CloudFormationClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()));
             LambdaClient lambda = client(LambdaClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()))) {
            var stack = DeployedStack.describe(cfn, STACK);
            var resolved = new EnvironmentResolver(template, Map.of(), stack, null).resolve(template.function("GitWebhookFunction"), Map.of());
            var actual = lambda.getFunctionConfiguration(r -> r.functionName(STACK + "-git-webhook")).environment().variables();
            assertThat(resolved.unresolved()).isEmpty();
            assertThat(resolved.values()).isEqualTo(actual);
        }
    }

    @Test
    void theLogGroupsExistWithTheRetentionAndTheStateMachineHasTheReconcileDefinition() throws Exception {
        try (CloudWatchLogsClient logs = client(CloudWatchLogsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()));
             SfnClient sfn = client(SfnClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()))) {
            var groups = logs.describeLogGroups().logGroups();
            assertThat(groups).anyMatch(g -> g.logGroupName().equals("/aws/lambda/" + STACK + "-git-webhook") && g.retentionInDays() == 30);
            assertThat(groups).anyMatch(g -> g.logGroupName().equals("/aws/vendedlogs/states/" + STACK + "-reconcile") && g.retentionInDays() == 30);
            var machine = sfn.describeStateMachine(r -> r.stateMachineArn(deployed.output("StateMachineArn")));
            var definition = Json.MAPPER.readTree(machine.definition());
            assertThat(definition.path("StartAt").asText()).isEqualTo("Prepare");
            // DefinitionSubstitutions applied: the tasks name the stack's function (alias live) and build project
            assertThat(definition.at("/States/Prepare/Parameters/FunctionName").asText())
                    .isEqualTo("arn:aws:lambda:us-east-1:123456789012:function:" + STACK + "-reconcile-task:live");
            assertThat(definition.at("/States/Stages/ItemProcessor/States/Plan/Parameters/ProjectName").asText()).isEqualTo(STACK + "-stage");
            assertThat(machine.roleArn()).contains(":role/" + STACK + "-ReconcileStateMachineRole-");
        }
        var logging = translatedResource("ReconcileStateMachine").at("/Properties/LoggingConfiguration");
        assertThat(logging.path("Level").asText()).isEqualTo("ERROR");
        assertThat(logging.path("IncludeExecutionData").asBoolean()).isFalse();
        assertThat(Files.readString(deployed.translated())).doesNotContain("statemachine/reconcile.asl.json");
    }

    private static List<String> strings(JsonNode node) {
        var out = new ArrayList<String>();
        if (node.isArray()) node.forEach(n -> out.add(n.asText()));
        else if (!node.isMissingNode() && !node.isNull()) out.add(node.asText());
        return out;
    }

    /** The statements of a role's inline policy as IAM holds it (moto resolved the template's conditions and references). */
    private List<JsonNode> statements(IamClient iam, String rolePrefix, String policyName) throws Exception {
        var role = iam.listRoles().roles().stream().map(r -> r.roleName()).filter(n -> n.startsWith(STACK + "-" + rolePrefix + "-"))
                .findFirst().orElseThrow(() -> new AssertionError("no role " + rolePrefix));
        assertThat(iam.listRolePolicies(r -> r.roleName(role)).policyNames()).containsExactly(policyName);
        var text = URLDecoder.decode(iam.getRolePolicy(r -> r.roleName(role).policyName(policyName)).policyDocument(), StandardCharsets.UTF_8);
        // moto hands back a policy created by CloudFormation as Python's repr of it (single quotes; None where a
        // condition gave AWS::NoValue, an entry AWS drops); the policies hold no quote of their own
        if (text.startsWith("{'")) text = text.replace('\'', '"').replaceAll("\\bNone\\b", "null");
        var document = Json.MAPPER.readTree(text);
        var out = new ArrayList<JsonNode>();
        var statement = document.path("Statement");
        if (statement.isArray()) statement.forEach(n -> { if (!n.isNull()) out.add(n); }); else out.add(statement);
        return out;
    }

    private static String glob(String pattern) {
        return pattern.replace(".", "\\.").replace("?", ".").replace("*", ".*");
    }

    @Test
    void thePreviewRoleReadsStateButWritesOnlyPreviewRunKeysAndNeverTouchesTheTableOrTheApplyRoles() throws Exception {
        var bucketArn = "arn:aws:s3:::" + deployed.output("BucketName");
        try (IamClient iam = client(IamClient.builder().region(Region.AWS_GLOBAL).httpClientBuilder(UrlConnectionHttpClient.builder()))) {
            var preview = statements(iam, "PreviewBuildRole", "preview-build");
            var allowedWrites = new ArrayList<String>();
            var assumable = new ArrayList<String>();
            var denied = new ArrayList<String>();
            var reads = new ArrayList<String>();
            for (var s : preview) {
                var actions = strings(s.path("Action"));
                var resources = strings(s.path("Resource"));
                assertThat(actions).as("preview role: no DynamoDB action at all").noneMatch(a -> a.toLowerCase().startsWith("dynamodb:"));
                assertThat(actions).as("preview role: no wildcard actions").noneMatch(a -> a.endsWith("*"));
                boolean allow = s.path("Effect").asText().equals("Allow");
                if (allow && actions.contains("s3:PutObject")) allowedWrites.addAll(resources);
                if (allow && actions.contains("s3:GetObject")) reads.addAll(resources);
                if (allow && actions.contains("sts:AssumeRole")) assumable.addAll(resources);
                if (!allow && actions.contains("sts:AssumeRole")) denied.addAll(resources);
            }
            assertThat(reads).contains(bucketArn + "/state/*", bucketArn + "/bundles/*", bucketArn + "/artifacts/*");
            assertThat(allowedWrites).isNotEmpty().noneMatch(r -> r.contains("/state/")).noneMatch(r -> r.endsWith(bucketArn + "/*"))
                    .allMatch(r -> r.contains("/????????T??????Z-p????????????????/") || r.endsWith("/cache/preview/*"));
            // a real preview run's keys fall under the grant, an apply run's do not
            var previewRun = dev.cairn.reconciler.preview.Previews.runId("20261202T142300Z",
                    "arn:aws:states:us-east-1:123456789012:execution:x:y");
            var applyRun = "20261202T142300Z-a1b2c3";
            var previewKey = bucketArn + "/" + dev.cairn.reconciler.bundle.BundleKeys.result("net", previewRun, "vpc");
            var applyKey = bucketArn + "/" + dev.cairn.reconciler.bundle.BundleKeys.result("net", applyRun, "vpc");
            var stateKey = bucketArn + "/" + dev.cairn.reconciler.bundle.BundleKeys.state("net", "vpc");
            assertThat(allowedWrites).anyMatch(r -> previewKey.matches(glob(r)))
                    .noneMatch(r -> applyKey.matches(glob(r))).noneMatch(r -> stateKey.matches(glob(r)));
            assertThat(assumable).containsExactly("arn:aws:iam::*:role/cairn-preview-*").doesNotContainAnyElementsOf(APPLY_ROLES);
            assertThat(denied).as("the explicit Deny on the apply roles").containsExactlyInAnyOrderElementsOf(APPLY_ROLES);

            // the apply role keeps its rights: state writes, the table, the apply roles
            var stage = statements(iam, "StageBuildRole", "stage-build");
            assertThat(stage).anyMatch(s -> strings(s.path("Action")).contains("s3:PutObject")
                    && strings(s.path("Resource")).contains(bucketArn + "/state/*"));
            assertThat(stage).anyMatch(s -> strings(s.path("Action")).contains("dynamodb:PutItem"));
            assertThat(stage).anyMatch(s -> s.path("Effect").asText().equals("Allow") && strings(s.path("Action")).contains("sts:AssumeRole")
                    && strings(s.path("Resource")).containsAll(APPLY_ROLES));
        }
        // moto skips AWS::CodeBuild::Project: the projects are checked in the translated template the emulator was given
        var previewProject = translatedResource("PreviewBuild").path("Properties");
        assertThat(previewProject.path("ServiceRole").toString()).isEqualTo("{\"Fn::GetAtt\":[\"PreviewBuildRole\",\"Arn\"]}");
        assertThat(previewProject.path("Name").toString()).contains("${AWS::StackName}-stage-preview");
        var previewEnv = new ArrayList<String>();
        previewProject.at("/Environment/EnvironmentVariables").forEach(v -> previewEnv.add(v.path("Name").asText()));
        assertThat(previewEnv).contains("CAIRN_BUCKET").doesNotContain("CAIRN_TABLE", "CAIRN_STAGE_SECRETS");
        assertThat(previewProject.at("/Cache/Location").toString()).contains("/cache/preview/");
        assertThat(translatedResource("StageBuild").at("/Properties/ServiceRole").toString())
                .isEqualTo("{\"Fn::GetAtt\":[\"StageBuildRole\",\"Arn\"]}");
    }

    @Test
    void theFunctionsThatPostPreviewsReadExactlyTheForgeTokenSecrets() throws Exception {
        try (IamClient iam = client(IamClient.builder().region(Region.AWS_GLOBAL).httpClientBuilder(UrlConnectionHttpClient.builder()));
             LambdaClient lambda = client(LambdaClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()))) {
            for (var fn : List.of(new String[] {"GitWebhookFunctionRole", "git-webhook", "git-webhook"},
                    new String[] {"ReconcileTaskFunctionRole", "reconcile-task", "reconcile-task"},
                    new String[] {"SlackFunctionRole", "slack", "slack"})) {
                var secrets = new ArrayList<String>();
                statements(iam, fn[0], fn[1]).stream().filter(s -> strings(s.path("Action")).contains("secretsmanager:GetSecretValue"))
                        .forEach(s -> secrets.addAll(strings(s.path("Resource"))));
                assertThat(secrets).as(fn[0]).contains(
                        "arn:aws:secretsmanager:us-east-1:123456789012:secret:cairn/github-token-??????",
                        "arn:aws:secretsmanager:us-east-1:123456789012:secret:cairn/gitlab-token-??????");
                var env = lambda.getFunctionConfiguration(r -> r.functionName(STACK + "-" + fn[2])).environment().variables();
                assertThat(env).as(fn[2]).containsEntry("CAIRN_GITHUB_TOKEN_SECRET", "cairn/github-token")
                        .containsEntry("CAIRN_GITLAB_TOKEN_SECRET", "cairn/gitlab-token").doesNotContainKey("CAIRN_GITHUB_API_URL");
            }
            // the preview role reads no forge token
            assertThat(statements(iam, "PreviewBuildRole", "preview-build"))
                    .noneMatch(s -> strings(s.path("Action")).contains("secretsmanager:GetSecretValue"));
        }
    }
}
