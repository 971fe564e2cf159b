package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** cfn-lint (offline, with the SAM translator) finds no error or warning in template.yaml. */
class TemplateLintTest {
    static final Path REPO = Path.of(System.getProperty("cairn.repoRoot", "..")).toAbsolutePath().normalize();

    @Test
    void cfnLintReportsNothingForTheTemplate() throws Exception {
        Process lint;
        try {
            lint = new ProcessBuilder(List.of("cfn-lint", REPO.resolve("template.yaml").toString())).redirectErrorStream(true).start();
        } catch (IOException missing) {
            fail("cfn-lint is not installed (python3 -m pip install cfn-lint); template.yaml is linted by this test: " + missing.getMessage());
            return;
        }
        var output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(lint.waitFor()).as(output).isZero();
        assertThat(output).isEmpty();
    }

    @Test
    void cfnLintCatchesABrokenTemplateSoTheTestAboveMeansSomething() throws Exception {
        var broken = java.nio.file.Files.createTempFile("cairn-broken", ".yaml");
        try {
            java.nio.file.Files.writeString(broken, """
                    Transform: AWS::Serverless-2016-10-31
                    Resources:
                      Fn:
                        Type: AWS::Serverless::Function
                        Properties:
                          Runtime: java21
                          Handler: a.B::handleRequest
                          CodeUri: x.jar
                          Environment: { Variables: { TABLE: !Ref Missing } }
                    """);
            var lint = new ProcessBuilder(List.of("cfn-lint", broken.toString())).redirectErrorStream(true).start();
            var output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(lint.waitFor()).isNotZero();
            assertThat(output).contains("Missing").contains(":9:");
        } finally {
            java.nio.file.Files.deleteIfExists(broken);
        }
    }
}
