package dev.cairn.cli.serve;

import dev.cairn.cli.invoke.SamTemplate;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.statemachine.DefinitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The definition cairn serve runs is the template's own (DefinitionUri + DefinitionSubstitutions,
 * substituted as SAM does), and each handler's environment is the template's, resolved locally.
 */
class ServeDefinitionTest {
    static final Path ROOT = Path.of(System.getProperty("cairn.repoRoot"));

    @TempDir
    Path tmp;

    @Test
    void theTemplatesDefinitionIsSubstitutedWithLocalArnsThatMapBackToItsFunctions() {
        var functions = functions(ROOT.resolve("template.yaml"), Map.of());
        var definition = ReconcileDefinition.load(functions);
        assertThat(definition.logicalId()).isEqualTo("ReconcileStateMachine");
        assertThat(definition.file()).isEqualTo(ROOT.resolve("statemachine/reconcile.asl.json"));
        assertThat(definition.substitutions()).containsEntry("TaskFunctionArn",
                "arn:aws:lambda:local:000000000000:function:ReconcileTaskFunction:live").containsEntry("BuildProjectName", "cairn-local-stage");
        assertThat(functions.functionOf(definition.substitutions().get("TaskFunctionArn"))).contains("ReconcileTaskFunction");
        assertThat(functions.functionOf("GitWebhookFunction")).contains("GitWebhookFunction");
        assertThat(functions.functionOf("arn:aws:lambda:local:000000000000:function:Nope")).isEmpty();
        var text = definition.machine().definition().toString();
        assertThat(text).doesNotContain("${TaskFunctionArn}", "${BuildProjectName}").contains("cairn-local-stage");
    }

    @Test
    void handlersGetTheTemplatesEnvironmentWithoutAnyAwsStoreOrSecretName() {
        var functions = functions(ROOT.resolve("template.yaml"), Map.of("CAIRN_TABLE", "from-the-shell", "CAIRN_GITHUB_WEBHOOK_SECRET", "s3cret",
                "HOME", "/root"));
        var webhook = functions.environment("GitWebhookFunction");
        assertThat(webhook).containsEntry("CAIRN_REPO_URL", "file:///tmp/infra").containsEntry("CAIRN_STATE_DIR", "/tmp/state")
                .containsEntry("CAIRN_GITHUB_WEBHOOK_SECRET", "s3cret").containsEntry("POWERTOOLS_SERVICE_NAME", "cairn-git-webhook")
                .doesNotContainKeys("CAIRN_TABLE", "CAIRN_BUCKET", "CAIRN_KMS_KEY_ID", "CAIRN_STATE_MACHINE_ARN",
                        "CAIRN_GITHUB_WEBHOOK_SECRET_NAME", "CAIRN_GITLAB_WEBHOOK_TOKEN_NAME", "HOME");
        assertThat(functions.environment("ReconcileTaskFunction")).containsEntry("CAIRN_APPROVAL_TIMEOUT_SECONDS", "86400")
                .doesNotContainKey("CAIRN_TABLE");
    }

    @Test
    void anUnsupportedFeatureInTheDefinitionIsRefusedAtLoadWithItsState() throws Exception {
        var definition = Files.readString(ROOT.resolve("statemachine/reconcile.asl.json"))
                .replace("\"Type\": \"Succeed\"", "\"Type\": \"Parallel\", \"Branches\": [], \"End\": true");
        Files.createDirectories(tmp.resolve("statemachine"));
        Files.writeString(tmp.resolve("statemachine/reconcile.asl.json"), definition);
        Files.copy(ROOT.resolve("template.yaml"), tmp.resolve("template.yaml"));
        assertThatThrownBy(() -> ReconcileDefinition.load(functions(tmp.resolve("template.yaml"), Map.of())))
                .isInstanceOf(DefinitionException.class).hasMessageContaining("Succeeded");
    }

    @Test
    void aTemplateWithoutTheStateMachineIsBadInput() throws Exception {
        Files.writeString(tmp.resolve("template.yaml"), "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.B::handleRequest\n");
        assertThatThrownBy(() -> ReconcileDefinition.load(functions(tmp.resolve("template.yaml"), Map.of())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("AWS::Serverless::StateMachine");
    }

    private static LocalFunctions functions(Path template, Map<String, String> processEnv) {
        return new LocalFunctions(SamTemplate.load(template), Map.of("RepoUrl", "file:///tmp/infra"), processEnv,
                Map.of("CAIRN_STATE_DIR", "/tmp/state", "CAIRN_REPO_URL", "file:///tmp/infra"));
    }
}
