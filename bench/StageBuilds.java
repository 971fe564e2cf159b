import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.functions.reconcile.ReconcileTaskFunction;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reconcile driven the way the state machine drives it, on one machine: the task function
 * in-process on the local stores (Prepare, NextStages, Render, Record, Finish), and every stage's
 * build as its own {@code java -jar cairn.jar stage} process in a fresh work dir, as the
 * buildspec's planApply runs it (plan, then apply of that saved plan when it has changes).
 * When Prepare asks for it ({@code planAhead}), one {@code cairn stage plan_ahead} process first
 * plans every stage at once, as the PlanAhead state's build does; NextStages then starts no build
 * for a stage whose ahead plan stands ({@code BENCH_PLAN_AHEAD=0} skips that build: one build per
 * stage, as before). {@code builds} counts the builds (one process group each).
 * Stages run one at a time so each is timed alone. Run by bench/stage-builds.sh:
 * {@code java -cp cairn.jar bench/StageBuilds.java INFRA COMMIT CAIRN_JAR STATE_DIR}; the task
 * function's environment (CAIRN_STATE_DIR, CAIRN_REPO_URL, ...) comes from the process. Prints JSON.
 */
public class StageBuilds {
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        var infra = args[0];
        var commit = args[1];
        var jar = args[2];
        var state = args[3];
        var tasks = new ReconcileTaskFunction(new HashMap<>(System.getenv()));
        var executionArn = "arn:aws:states:us-east-1:123456789012:execution:bench:" + commit.substring(0, 12) + System.nanoTime();
        var taskMs = new LinkedHashMap<String, List<Double>>();
        long t0 = System.nanoTime();
        var prepared = timed(taskMs, "prepare", () -> tasks.handleRequest(Map.of("task", "prepare", "infrastructure", infra, "action", "APPLY",
                "commit", commit, "ref", "refs/heads/main", "trigger", "bench", "executionArn", executionArn), null));
        var runId = (String) prepared.get("runId");
        int builds = 0;
        Double aheadSeconds = null;
        // BENCH_PLAN_AHEAD=0: as before the plan-ahead build (NextStages then finds no ahead report: one build per stage)
        if (Boolean.TRUE.equals(prepared.get("planAhead")) && !"0".equals(System.getenv("BENCH_PLAN_AHEAD"))) {
            aheadSeconds = stage(jar, state, "plan_ahead", infra, runId, null);
            builds++;
        }
        var stages = new ArrayList<Map<String, Object>>();
        int waves = 0;
        while (true) {
            var next = timed(taskMs, "next", () -> tasks.handleRequest(Map.of("task", "next", "infrastructure", infra, "runId", runId), null));
            if (Boolean.TRUE.equals(next.get("done"))) break;
            waves++;
            for (var start : (List<Map<String, Object>>) next.get("start")) {
                var stage = (String) start.get("name");
                var ids = Map.<String, Object>of("infrastructure", infra, "runId", runId, "stage", stage);
                var row = new LinkedHashMap<String, Object>();
                row.put("stage", stage);
                row.put("wave", waves);
                timed(taskMs, "render", () -> tasks.handleRequest(with(ids, "task", "render"), null));
                builds++;
                var result = Files.createTempFile("cairn-bench-plan", ".json");
                row.put("plan_s", stage(jar, state, "plan", infra, runId, stage, "--result", result.toString()));
                var sha = JSON.readTree(result.toFile()).path("planSha256").asText("");
                Files.delete(result);
                row.put("changes", !sha.isEmpty());
                if (!sha.isEmpty()) row.put("apply_s", stage(jar, state, "apply", infra, runId, stage, "--plan-sha256", sha));
                timed(taskMs, "record", () -> tasks.handleRequest(with(ids, "task", "record"), null));
                stages.add(row);
            }
        }
        var finished = timed(taskMs, "finish", () -> tasks.handleRequest(Map.of("task", "finish", "infrastructure", infra, "executionArn", executionArn), null));
        var out = new LinkedHashMap<String, Object>();
        out.put("infrastructure", infra);
        out.put("run", runId);
        out.put("status", finished.get("status"));
        out.put("waves", waves);
        out.put("builds", builds);
        out.put("plan_ahead_s", aheadSeconds);
        out.put("stages", stages);
        var summary = new LinkedHashMap<String, Object>();
        taskMs.forEach((k, v) -> summary.put(k, Map.of("n", v.size(), "median_ms", median(v), "max_ms", v.stream().mapToDouble(d -> d).max().orElse(0))));
        out.put("tasks", summary);
        out.put("total_s", (System.nanoTime() - t0) / 1e9);
        out.put("recorded", recorded(state, infra, runId));
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
    }

    /**
     * What the run record says each stage's builds spent (StageTimings, from the builds' reports):
     * terraform commands, the builds' start-up, the wait from ready to the first terraform command
     * (here stages run one at a time, so a stage's wait also holds the earlier stages of its wave);
     * and the run's critical path.
     */
    static Map<String, Object> recorded(String state, String infra, String runId) {
        var run = new dev.cairn.reconciler.run.Workspace(Path.of(state)).runs().get(infra, runId).orElseThrow();
        var stages = new LinkedHashMap<String, Object>();
        run.stages().forEach((name, result) -> {
            var t = result.timings();
            if (t == null) return;
            var row = new LinkedHashMap<String, Object>();
            row.put("commands_ms", t.commands());
            row.put("terraform_ms", t.totalMillis());
            row.put("startup_ms", t.startupMillis());
            row.put("wait_ms", t.waitMillis());
            row.put("after", t.after());
            stages.put(name, row);
        });
        var path = dev.cairn.reconciler.run.CriticalPath.of(run);
        var out = new LinkedHashMap<String, Object>();
        out.put("stages", stages);
        out.put("critical_path_ms", path.millis());
        out.put("critical_path", path.stages());
        out.put("wall_ms", run.finishedAt() == null ? null : java.time.Duration.between(run.startedAt(), run.finishedAt()).toMillis());
        return out;
    }

    interface Call {
        Map<String, Object> run() throws Exception;
    }

    static Map<String, Object> timed(Map<String, List<Double>> into, String name, Call call) throws Exception {
        long start = System.nanoTime();
        var result = call.run();
        into.computeIfAbsent(name, k -> new ArrayList<>()).add((System.nanoTime() - start) / 1e6);
        return result;
    }

    static Map<String, Object> with(Map<String, Object> ids, String key, Object value) {
        var m = new HashMap<>(ids);
        m.put(key, value);
        return m;
    }

    /** One `cairn stage` process (a build's Java part): wall seconds; fails on a non-zero exit. */
    static double stage(String jar, String state, String step, String infra, String runId, String stage, String... extra) throws Exception {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar,
                "stage", step, "--infra", infra, "--run", runId, "--state-dir", state));
        if (stage != null) command.addAll(List.of("--stage", stage));
        command.addAll(List.of(extra));
        long start = System.nanoTime();
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes());
        int exit = process.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (exit != 0) throw new IllegalStateException("cairn stage " + step + " " + (stage == null ? "" : stage) + " exited " + exit + ":\n" + output);
        return Math.round(seconds * 100) / 100.0;
    }

    static double median(List<Double> values) {
        var sorted = values.stream().sorted().toList();
        int n = sorted.size();
        double m = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return Math.round(m * 10) / 10.0;
    }
}
