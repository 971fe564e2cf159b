package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A preview's plan flags: {@code -lock=false} always, after whatever {@code TF_CLI_ARGS_plan} the build already sets (StagePreviewLockIT proves the flag with Terraform). */
class StagePreviewEnvTest {
    @Test
    void thePreviewsLockFlagComesAfterTheBuildsOwnPlanArguments() {
        assertThat(StageCommand.previewEnv(null)).containsEntry("TF_CLI_ARGS_plan", "-lock=false");
        assertThat(StageCommand.previewEnv("  ")).containsEntry("TF_CLI_ARGS_plan", "-lock=false");
        assertThat(StageCommand.previewEnv("-parallelism=4 -compact-warnings"))
                .containsEntry("TF_CLI_ARGS_plan", "-parallelism=4 -compact-warnings -lock=false");
    }
}
