package dev.cairn.cli;

import dev.cairn.cli.invoke.DeployedStack;
import dev.cairn.cli.invoke.EnvironmentResolver;
import dev.cairn.cli.invoke.SamTemplate;
import dev.cairn.reconciler.diag.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** template.yaml read with its short-form tags, and a function's environment resolved from it. */
class TemplateResolutionTest {
    static final Path REPO = Path.of(System.getProperty("cairn.repoRoot", "..")).toAbsolutePath().normalize();
    static final Path TEST_TEMPLATE = Path.of("src/test/resources/invoke/template.yaml").toAbsolutePath();

    /** A stack as DescribeStackResources lists it after the test template is deployed (Api skipped, as moto does). */
    static DeployedStack stack() {
        return new DeployedStack("invoke-it", "aws", "us-east-1", "123456789012", Map.of("Branch", "release"), Map.of(
                "Table", new DeployedStack.Resource("AWS::DynamoDB::Table", "invoke-it-Table-ABC"),
                "Bucket", new DeployedStack.Resource("AWS::S3::Bucket", "invoke-it-bucket-xyz"),
                "Machine", new DeployedStack.Resource("AWS::StepFunctions::StateMachine",
                        "arn:aws:states:us-east-1:123456789012:stateMachine:Machine-QWE")));
    }

    @TempDir
    Path tmp;

    @Test
    void theRepositoryTemplateDeclaresTheWebhookFunctionWithGlobalsMergedIn() {
        var template = SamTemplate.load(REPO.resolve("template.yaml"));
        assertThat(template.functionIds()).containsExactlyInAnyOrder("GitWebhookFunction", "SlackFunction", "ReconcileTaskFunction", "ScheduleFunction");
        var fn = template.function("GitWebhookFunction");
        assertThat(fn.handler()).isEqualTo("dev.cairn.functions.GitWebhookFunction::handleRequest");
        assertThat(fn.environment()).containsKeys("CAIRN_TABLE", "CAIRN_BUCKET", "CAIRN_KMS_KEY_ID", "POWERTOOLS_LOG_LEVEL",
                "CAIRN_STATE_MACHINE_ARN", "CAIRN_REPO_URL", "CAIRN_GITHUB_WEBHOOK_SECRET_NAME", "CAIRN_GITLAB_WEBHOOK_TOKEN_NAME",
                "CAIRN_GIT_TOKEN_NAME", "POWERTOOLS_SERVICE_NAME");
        assertThat(fn.timeoutSeconds()).isEqualTo(15);
        assertThat(fn.memoryMb()).isEqualTo(1024);
        assertThat(template.parameters()).containsKeys("RepoUrl", "GitHubWebhookSecretName", "GitLabWebhookTokenName",
                "GitTokenSecretName", "LogRetentionDays");
    }

    @Test
    void withoutAStackParameterDefaultsResolveAndResourceReferencesAreLeftUnsetWithTheReason() {
        var template = SamTemplate.load(REPO.resolve("template.yaml"));
        var env = new EnvironmentResolver(template, Map.of(), null, "eu-west-1")
                .resolve(template.function("GitWebhookFunction"), Map.of());
        assertThat(env.values()).containsEntry("CAIRN_REPO_URL", "https://github.com/example/infrastructure.git")
                .containsEntry("CAIRN_GITHUB_WEBHOOK_SECRET_NAME", "cairn/github-webhook-secret")
                .containsEntry("POWERTOOLS_SERVICE_NAME", "cairn-git-webhook")
                .doesNotContainKeys("CAIRN_TABLE", "CAIRN_GIT_TOKEN_NAME"); // NoValue when GitTokenSecretName is empty
        assertThat(env.unresolved()).containsOnlyKeys("CAIRN_TABLE", "CAIRN_BUCKET", "CAIRN_KMS_KEY_ID", "CAIRN_STATE_MACHINE_ARN");
        assertThat(env.unresolved().get("CAIRN_TABLE")).contains("Table").contains("AWS::DynamoDB::Table").contains("--stack");
    }

    @Test
    void parameterOverridesWinOverDefaultsAndTurnConditionsOn() {
        var template = SamTemplate.load(REPO.resolve("template.yaml"));
        var env = new EnvironmentResolver(template, Map.of("GitTokenSecretName", "cairn/git-token", "RepoUrl", "https://git.example/x.git"), null, null)
                .resolve(template.function("GitWebhookFunction"), Map.of());
        assertThat(env.values()).containsEntry("CAIRN_GIT_TOKEN_NAME", "cairn/git-token")
                .containsEntry("CAIRN_REPO_URL", "https://git.example/x.git");
    }

    @Test
    void anUnknownParameterOverrideIsRefusedWithTheParametersThereAre() {
        var template = SamTemplate.load(REPO.resolve("template.yaml"));
        assertThatThrownBy(() -> new EnvironmentResolver(template, Map.of("RepoURL", "x"), null, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--parameter RepoURL").hasMessageContaining("RepoUrl, RepoPath, GitHubWebhookSecretName");
    }

    @Test
    void anUnknownFunctionGetsADidYouMeanAndTheFunctionIds() {
        var template = SamTemplate.load(TEST_TEMPLATE);
        assertThatThrownBy(() -> template.function("EchoFuntion"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown-function").hasMessageContaining("no function `EchoFuntion`")
                .hasMessageContaining("did you mean `EchoFunction`?")
                .hasMessageContaining("EchoFunction, NoArgFunction, ThrowingFunction, MissingClassFunction, ApiUrlFunction");
        // a resource that is not a function is not offered either
        assertThatThrownBy(() -> template.function("Table")).hasMessageContaining("no function `Table`");
    }

    @Test
    void withAStackEveryReferenceKindResolvesToThePhysicalIdsAndDerivedArns() {
        var template = SamTemplate.load(TEST_TEMPLATE);
        var env = new EnvironmentResolver(template, Map.of(), stack(), null).resolve(template.function("EchoFunction"), Map.of());
        assertThat(env.unresolved()).isEmpty();
        assertThat(env.values())
                .containsEntry("CAIRN_TABLE", "invoke-it-Table-ABC")                       // Ref, from Globals
                .containsEntry("CAIRN_BUCKET", "invoke-it-bucket-xyz")
                .containsEntry("CAIRN_STATE_MACHINE_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:Machine-QWE")
                .containsEntry("CAIRN_TABLE_ARN", "arn:aws:dynamodb:us-east-1:123456789012:table/invoke-it-Table-ABC") // GetAtt
                .containsEntry("CAIRN_OBJECTS", "arn:aws:s3:::invoke-it-bucket-xyz/runs/us-east-1/${literal}")   // Sub
                .containsEntry("CAIRN_MACHINE_NAME", "Machine-QWE")
                .containsEntry("CAIRN_REPO_URL", "https://git.example/infra.git")         // parameter default
                .containsEntry("CAIRN_JOINED", "release-b")                                // the stack's Branch, Join/Select/Split
                .containsEntry("POWERTOOLS_LOG_LEVEL", "WARN")                             // FindInMap keyed by the stack's Branch
                .containsEntry("CAIRN_REQUIRED", "from-default")                           // long-form {Ref: ...}
                .doesNotContainKey("CAIRN_GIT_TOKEN_NAME");
        assertThat(env.sources()).containsEntry("CAIRN_TABLE", "stack invoke-it");
    }

    @Test
    void findInMapUsesTheResolvedKeysAndAMissingEntryIsAnError() {
        var template = SamTemplate.load(TEST_TEMPLATE);
        var main = new EnvironmentResolver(template, Map.of(), null, null).resolve(template.function("EchoFunction"), Map.of());
        assertThat(main.values()).containsEntry("POWERTOOLS_LOG_LEVEL", "INFO");
        assertThatThrownBy(() -> new EnvironmentResolver(template, Map.of("Branch", "dev"), null, null)
                .resolve(template.function("EchoFunction"), Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("Fn::FindInMap finds no such entry");
    }

    @Test
    void aReferenceToAResourceTheStackLacksIsAnErrorAtItsLineNamingTheStackAndTheWayOut() {
        var template = SamTemplate.load(TEST_TEMPLATE);
        assertThatThrownBy(() -> new EnvironmentResolver(template, Map.of(), stack(), null).resolve(template.function("ApiUrlFunction"), Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).diagnostics().getFirst().location().line()).isEqualTo(lineOf("CAIRN_API:")))
                .hasMessageContaining("resource-not-in-stack")
                .hasMessageContaining("CAIRN_API refers to resource Api (AWS::Serverless::HttpApi), which stack `invoke-it` does not have")
                .hasMessageContaining("AWS::ApiGatewayV2::*")
                .hasMessageContaining("export CAIRN_API=VALUE");
    }

    @Test
    void anExportedVariableOverridesTheTemplateAndNeedsNoResolution() {
        var template = SamTemplate.load(TEST_TEMPLATE);
        var env = new EnvironmentResolver(template, Map.of(), stack(), null)
                .resolve(template.function("ApiUrlFunction"), Map.of("CAIRN_API", "http://127.0.0.1:9000", "CAIRN_TABLE", "mine"));
        assertThat(env.values()).containsEntry("CAIRN_API", "http://127.0.0.1:9000").containsEntry("CAIRN_TABLE", "mine");
        assertThat(env.sources()).containsEntry("CAIRN_API", "the process environment");
    }

    @Test
    void aRefToAnUndeclaredNameIsAnErrorWithFileLineAndColumn() throws Exception {
        var file = tmp.resolve("template.yaml");
        Files.writeString(file, """
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B::handleRequest
                      Environment:
                        Variables:
                          X: !Ref Tabel
                """);
        var template = SamTemplate.load(file);
        assertThatThrownBy(() -> new EnvironmentResolver(template, Map.of(), null, null).resolve(template.function("Fn"), Map.of()))
                .hasMessageContaining(file + ":8:14: unknown-reference: X: Ref to `Tabel`, which is neither a parameter nor a resource");
    }

    @Test
    void brokenYamlIsReportedAtItsLine() throws Exception {
        var file = tmp.resolve("template.yaml");
        Files.writeString(file, "Resources:\n  Fn:\n    Type: [unclosed\n");
        assertThatThrownBy(() -> SamTemplate.load(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(file + ":4:1: template-yaml");
    }

    @Test
    void aParameterWithoutDefaultOrValueIsLeftUnsetWithTheFlagToPass() throws Exception {
        var file = tmp.resolve("template.yaml");
        Files.writeString(file, """
                Parameters:
                  RepoUrl: { Type: String }
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B::handleRequest
                      Environment: { Variables: { CAIRN_REPO_URL: !Ref RepoUrl, REGION: !Sub "${AWS::Region}" } }
                """);
        var template = SamTemplate.load(file);
        var env = new EnvironmentResolver(template, Map.of(), null, null).resolve(template.function("Fn"), Map.of());
        assertThat(env.unresolved()).containsEntry("CAIRN_REPO_URL", "parameter RepoUrl has no default; pass --parameter RepoUrl=VALUE")
                .containsEntry("REGION", "AWS::Region: no --stack and no AWS_REGION");
    }

    private static int lineOf(String text) {
        try {
            var lines = Files.readAllLines(TEST_TEMPLATE);
            for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(text)) return i + 1;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(text + " not in " + TEST_TEMPLATE);
    }
}
