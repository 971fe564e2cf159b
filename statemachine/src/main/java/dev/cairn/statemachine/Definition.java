package dev.cairn.statemachine;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The checked model of a definition that {@link StateMachine#parse} builds and the executor runs. */
final class Definition {
    private Definition() {
    }

    /** The top level, a Map's ItemProcessor or a Parallel branch. */
    record Branch(String startAt, Map<String, State> states) {
    }

    /** InputPath or OutputPath: absent is {@code $}, JSON null is {@code {}}. */
    record Selector(DataPath path) {
        static final Selector ALL = new Selector(DataPath.parse("$"));
        static final Selector NOTHING = new Selector(null);

        JsonNode apply(JsonNode data, JsonNode context) throws TaskFailure {
            return path == null ? Json.object() : path.read(data, context);
        }
    }

    /** ErrorEquals, IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy FULL. */
    record Retrier(List<String> errors, int intervalSeconds, int maxAttempts, double backoffRate,
                   Optional<Integer> maxDelaySeconds, boolean fullJitter) {
    }

    record Catcher(List<String> errors, ResultPath resultPath, String next) {
    }

    /** What Task, Map and Parallel share: paths, result handling, Retry and Catch, Next (null: End). */
    record Common(Selector inputPath, Template parameters, Template resultSelector, ResultPath resultPath,
                  Selector outputPath, List<Retrier> retry, List<Catcher> catchers, String next) {
    }

    sealed interface State {
        String name();

        String type();
    }

    record Task(String name, String resource, Common io, Optional<Integer> timeoutSeconds,
                Optional<DataPath> timeoutSecondsPath) implements State {
        public String type() {
            return "Task";
        }

        boolean waitsForToken() {
            return resource.endsWith(".waitForTaskToken");
        }
    }

    record MapState(String name, Common io, DataPath itemsPath, Branch processor, Optional<Integer> maxConcurrency,
                    Optional<DataPath> maxConcurrencyPath) implements State {
        public String type() {
            return "Map";
        }
    }

    record Parallel(String name, Common io, List<Branch> branches) implements State {
        public String type() {
            return "Parallel";
        }
    }

    record Pass(String name, Common io, Optional<JsonNode> result) implements State {
        public String type() {
            return "Pass";
        }
    }

    record Wait(String name, Selector inputPath, Selector outputPath, Optional<Integer> seconds,
                Optional<DataPath> secondsPath, Optional<String> timestamp, Optional<DataPath> timestampPath,
                String next) implements State {
        public String type() {
            return "Wait";
        }
    }

    record Choice(String name, Selector inputPath, Selector outputPath, List<Rule> choices, Optional<String> defaultNext)
            implements State {
        public String type() {
            return "Choice";
        }
    }

    record Rule(ChoiceRule rule, String next) {
    }

    record Succeed(String name, Selector inputPath, Selector outputPath) implements State {
        public String type() {
            return "Succeed";
        }
    }

    /** Error/Cause literal, or from ErrorPath/CausePath (a path or an intrinsic function). */
    record Fail(String name, Optional<String> error, Optional<String> cause, Optional<Template> errorPath,
                Optional<Template> causePath) implements State {
        public String type() {
            return "Fail";
        }
    }
}
