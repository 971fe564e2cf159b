package dev.cairn.reconciler.terraform;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The error a failed stage reports: Terraform's first real error box, never init's preamble. */
class TerraformErrorTest {
    @Test
    void initsPreambleGivesWayToTheErrorThatFollowsIt() throws Exception {
        String stderr;
        try (var in = getClass().getResourceAsStream("init-invalid-config.stderr")) {
            stderr = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var error = StageRunner.terraformError(stderr);
        assertThat(error.lines().findFirst()).contains("Error: Invalid precondition expression");
        assertThat(error).contains("on main.tf line 5").doesNotContain("encountered problems during initialisation");
    }

    @Test
    void anErrorWithoutThePreambleIsTakenAsItIsAndThePreambleAloneIsKept() {
        assertThat(StageRunner.terraformError("\nError: No valid credential sources found\n\nPlease see the docs\n").lines().findFirst())
                .contains("Error: No valid credential sources found");
        assertThat(StageRunner.terraformError("Error: Terraform encountered problems during initialisation, including problems\nwith it\n"))
                .startsWith("Error: Terraform encountered problems during initialisation");
    }
}
