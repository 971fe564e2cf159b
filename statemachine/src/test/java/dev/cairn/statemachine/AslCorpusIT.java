package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The differential oracle (issue 9, section 3): every definition under asl-corpus/ runs on the
 * local executor and on moto's ASL interpreter; final status, output and error name must agree.
 * Where moto is known to be wrong, the case holds AWS's documented result (expected.json) and the
 * reason (moto-differs.txt): the local executor must give the documented result, and moto is
 * checked to still differ, so that a fixed moto turns the case back into a plain comparison.
 */
class AslCorpusIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static MotoStepFunctions moto;

    @BeforeAll
    static void startMoto(@TempDir Path logs) throws Exception {
        moto = MotoStepFunctions.start(logs.resolve("moto.log"));
    }

    @AfterAll
    static void stopMoto() {
        if (moto != null) moto.close();
    }

    static Path corpus() throws URISyntaxException {
        return Path.of(AslCorpusIT.class.getResource("/asl-corpus").toURI());
    }

    static Stream<String> cases() throws Exception {
        try (Stream<Path> dirs = Files.list(corpus())) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void theCorpusHasAtLeastThirtyDefinitions() throws Exception {
        assertThat(cases().count()).isGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void agreesWithMotoOrWithTheDocumentedBehaviour(String name) throws Exception {
        Path dir = corpus().resolve(name);
        String definition = Files.readString(dir.resolve("definition.json"));
        String input = Files.readString(dir.resolve("input.json"));

        MotoStepFunctions.Outcome ours = local(name, definition, input);
        MotoStepFunctions.Outcome theirs = moto.run(definition, input, Duration.ofSeconds(30));

        if (Files.exists(dir.resolve("moto-differs.txt"))) {
            MotoStepFunctions.Outcome documented = expected(dir);
            assertSame(ours, documented, "local executor vs AWS's documented behaviour");
            assertThat(same(theirs, documented))
                    .as("moto now agrees with AWS for %s (%s): drop moto-differs.txt", name, Files.readString(dir.resolve("moto-differs.txt")).strip())
                    .isFalse();
        } else {
            assertSame(ours, theirs, "local executor vs moto");
            if (Files.exists(dir.resolve("expected.json"))) assertSame(ours, expected(dir), "local executor vs expected.json");
        }
    }

    static MotoStepFunctions.Outcome local(String name, String definition, String input) throws Exception {
        StateMachine machine = StateMachine.parse(definition, "asl-corpus/" + name + "/definition.json");
        try (LocalExecutions executions = new LocalExecutions(machine, Map.of(), Executions.Listener.NONE,
                ExecutionOptions.defaults().withSleeper(duration -> { }))) {
            executions.start("corpus", JSON.readTree(input));
            Executions.Execution done = executions.await("corpus", Duration.ofSeconds(10));
            return new MotoStepFunctions.Outcome(done.status().name(), done.output().orElse(null), done.error().orElse(null),
                    done.cause().orElse(null));
        }
    }

    static MotoStepFunctions.Outcome expected(Path dir) throws Exception {
        JsonNode e = JSON.readTree(dir.resolve("expected.json").toFile());
        return new MotoStepFunctions.Outcome(e.get("status").asText(), e.get("output"), e.path("error").asText(null), null);
    }

    static boolean same(MotoStepFunctions.Outcome a, MotoStepFunctions.Outcome b) {
        boolean output = a.output() == null ? b.output() == null : b.output() != null && Values.equal(a.output(), b.output());
        return a.status().equals(b.status()) && output && java.util.Objects.equals(a.error(), b.error());
    }

    static void assertSame(MotoStepFunctions.Outcome actual, MotoStepFunctions.Outcome expected, String what) {
        assertThat(same(actual, expected)).as("%s:%n  got      %s%n  expected %s", what, actual, expected).isTrue();
    }

}
