package dev.cairn.cli;

import dev.cairn.aws.store.AwsStores;
import dev.cairn.aws.store.S3BlobStore;
import dev.cairn.reconciler.bundle.BundleKeys;
import dev.cairn.reconciler.bundle.StageBundle;
import dev.cairn.reconciler.bundle.StageRenderer;
import dev.cairn.reconciler.bundle.StageReport;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.RunRefusedException;
import dev.cairn.reconciler.run.StageStatus;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.reconciler.store.BlobStore;
import dev.cairn.reconciler.store.RunStore;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.store.local.AtomicFiles;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.template.Unknown;
import dev.cairn.reconciler.terraform.CommandTimes;
import dev.cairn.reconciler.terraform.PlanSummary;
import dev.cairn.reconciler.terraform.StageRunner;
import dev.cairn.reconciler.terraform.TerraformBinary;
import dev.cairn.reconciler.terraform.TerraformCli;
import dev.cairn.reconciler.terraform.TerraformEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs one rendered stage: the entry point of the CodeBuild container, running the same
 * {@link StageRunner} as local mode.
 *
 * <ul>
 *   <li>{@code --work-dir DIR} alone: Terraform in a work dir rendered already.</li>
 *   <li>{@code --infra I --run RUN --stage S}: fetches the stage bundle ({@link BundleKeys#bundle})
 *       from the blob store (S3 when {@code CAIRN_BUCKET} is set, else the state dir's), extracts it
 *       (into {@code --work-dir}, else a temporary dir), runs the step and puts back the saved plan,
 *       the plan summary, the {@link StageReport} (which the Record step reads: outputs travel
 *       through it, sensitive ones only there and in the output store) and the stage log.
 *       {@code apply} applies the saved plan only when its SHA-256 equals the one recorded when it
 *       was made ({@code --plan-sha256}, else the run record's); otherwise nothing is applied.
 *       The report carries the step's {@link StageReport.Timings}: each terraform command's time and
 *       the process's start-up before the first one; an apply's add those of the plan step before it.</li>
 *   <li>{@code plan_ahead --infra I --run RUN}: the run's one plan-ahead build ({@link PlanAheadStep}): every stage
 *       Prepare rendered ahead, planned at once in this process, an {@code AheadReport} per stage.</li>
 * </ul>
 */
@Command(name = "stage", description = "Run Terraform in one rendered stage work dir, or on a stage bundle from the blob store (what the CodeBuild container runs).")
final class StageCommand implements Callable<Integer> {
    enum Step { plan, destroy_plan, apply, outputs, preview, plan_ahead }

    @Parameters(index = "0", paramLabel = "STEP", description = "plan, destroy_plan, apply (the saved plan), outputs, preview "
            + "(a pull request's plan: terraform plan -lock=false; no saved plan, Terraform state and outputs are not written back), "
            + "or plan_ahead (--infra and --run: every stage Prepare rendered ahead, planned at once in this process).")
    Step step;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "The stage work dir (required without --run; with --run, where the bundle is extracted; default: a temporary dir).")
    Path workDir;

    @Option(names = "--result", paramLabel = "FILE", description = "Write the full result as JSON here (owner-only; holds sensitive outputs).")
    Path result;

    @Option(names = "--infra", paramLabel = "NAME", description = "The infrastructure of the bundle (with --run and --stage).")
    String infra;

    @Option(names = "--run", paramLabel = "RUN", description = "The run id of the bundle (with --infra and --stage).")
    String runId;

    @Option(names = "--stage", paramLabel = "STAGE", description = "The stage of the bundle (with --infra and --run).")
    String stage;

    @Option(names = "--plan-sha256", paramLabel = "HEX", description = "apply: the SHA-256 the saved plan must have (default: the one on the run record).")
    String planSha256;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Local blob and run stores when CAIRN_BUCKET is not set (default: $CAIRN_STATE_DIR).")
    Path stateDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (step == Step.plan_ahead) return planAhead();
        boolean bundled = infra != null || runId != null || stage != null;
        if (bundled && (infra == null || runId == null || stage == null)) {
            throw new RunRefusedException("--infra, --run and --stage go together: name the bundle's infrastructure, run and stage");
        }
        if (!bundled) {
            if (workDir == null) throw new RunRefusedException("name the stage: --work-dir DIR, or --infra, --run and --stage for a bundle");
            return runWorkDir();
        }
        return runBundle();
    }

    /** The run's one plan-ahead build: {@link PlanAheadStep}, at most {@code CAIRN_PARALLELISM} stages at once. */
    private int planAhead() throws Exception {
        if (infra == null || runId == null) throw new RunRefusedException("plan_ahead plans a run's stages: name it with --infra and --run");
        var processStart = processStart();
        var parallelism = System.getenv("CAIRN_PARALLELISM");
        int bound = notBlank(parallelism) && parallelism.trim().matches("[0-9]{1,3}") ? Integer.parseInt(parallelism.trim())
                : dev.cairn.reconciler.manifest.RepoConfig.Terraform.DEFAULT_PARALLELISM;
        var stores = stores();
        try (var ignored = stores.closer()) {
            var planned = new PlanAheadStep(infra, runId, bound).run(stores.blobs(), stores.runs(), processStart);
            var shown = new LinkedHashMap<String, Object>();
            shown.put("step", step.name());
            shown.put("planned", planned);
            print(shown);
            return Cairn.OK;
        }
    }

    /** Terraform in a rendered work dir, as before bundles. */
    private int runWorkDir() throws IOException {
        var runner = runner(workDir);
        var log = new OutputStreamWriter(System.err, StandardCharsets.UTF_8);
        var redactor = new Redactor();
        var body = new LinkedHashMap<String, Object>();
        body.put("step", step.name());
        runner.init(workDir, log, redactor);
        switch (step) {
            case plan, destroy_plan, preview -> {
                if (step == Step.preview) runner = runner(workDir, PREVIEW_ENV);
                var planned = runner.plan(workDir, step == Step.destroy_plan, log, redactor);
                body.put("plan", planned.summary());
                body.put("outputs", planned.plannedOutputs());
            }
            case apply -> body.put("outputs", runner.apply(workDir, log, redactor));
            case outputs -> body.put("outputs", runner.outputs(workDir, log, redactor));
        }
        if (result != null) AtomicFiles.write(result, Json.MAPPER.writeValueAsBytes(body));
        print(body);
        return Cairn.OK;
    }

    /**
     * A preview's Terraform: {@code plan} gets {@code -lock=false} (Terraform's own
     * {@code TF_CLI_ARGS_plan}, after any the build's environment already sets), so it neither
     * takes nor waits for the state lock, whatever the backend; a plan never writes state.
     */
    static final Map<String, String> PREVIEW_ENV = previewEnv(System.getenv("TF_CLI_ARGS_plan"));

    static Map<String, String> previewEnv(String userArgs) {
        return Map.of("TF_CLI_ARGS_plan", ((userArgs == null ? "" : userArgs.strip()) + " -lock=false").strip());
    }

    /** What the log of a preview says first: its plan command line does not show the lock flag, which comes from the environment. */
    static final String PREVIEW_LOG_NOTE = "# preview: terraform plan runs with -lock=false (TF_CLI_ARGS_plan): it takes no state lock,"
            + " writes no state, and its saved plan is never applied or kept\n";

    private static StageRunner runner(Path dir) {
        return runner(dir, Map.of());
    }

    /** @param extra added to Terraform's environment only: the target role's credentials, the stage secrets ({@link StageEnvironment}) */
    static StageRunner runner(Path dir, Map<String, String> extra) {
        var terraform = TerraformBinary.find(null);
        var env = new LinkedHashMap<>(TerraformEnvironment.create(dir.resolve(".terraform").toAbsolutePath()));
        env.putAll(extra);
        return new StageRunner(new TerraformCli(terraform, env));
    }

    private static Map<String, String> withPreviewEnv(Map<String, String> terraformEnv) {
        var env = new LinkedHashMap<>(terraformEnv);
        env.putAll(PREVIEW_ENV);
        return env;
    }

    /** Where the bundle, plans, results and logs are: S3 in CodeBuild, the state dir locally. */
    record Stores(BlobStore blobs, RunStore runs, AutoCloseable closer) {
    }

    Stores stores() {
        var env = System.getenv();
        if (notBlank(env.get(AwsStores.BUCKET))) {
            if (notBlank(env.get(AwsStores.TABLE))) {
                var aws = AwsStores.fromEnv(env);
                return new Stores(aws.blobs(), aws.runs(), aws);
            }
            var clients = AwsStores.Clients.fromEnv(env);
            var kms = env.get(AwsStores.KMS_KEY_ID);
            return new Stores(new S3BlobStore(clients.s3(), env.get(AwsStores.BUCKET).trim(), notBlank(kms) ? kms.trim() : null), null, () -> {
                clients.s3().close();
                clients.dynamo().close();
                clients.kms().close();
            });
        }
        var dir = stateDir != null ? stateDir : notBlank(env.get("CAIRN_STATE_DIR")) ? Path.of(env.get("CAIRN_STATE_DIR")) : null;
        if (dir == null) {
            throw new RunRefusedException("no blob store: set CAIRN_BUCKET (and CAIRN_TABLE) in AWS, or pass --state-dir DIR locally");
        }
        var workspace = new Workspace(dir);
        return new Stores(workspace.blobs(), workspace.runs(), () -> { });
    }

    private int runBundle() throws Exception {
        var stores = stores();
        try (var ignored = stores.closer()) {
            return runBundle(stores);
        }
    }

    private int runBundle(Stores stores) throws Exception {
        var processStart = processStart();
        var times = new CommandTimes();
        var bundleKey = BundleKeys.bundle(infra, runId, stage);
        var logKey = BundleKeys.log(infra, runId, stage);
        var archive = stores.blobs().get(bundleKey).orElseThrow(() -> new RunRefusedException(
                "no stage bundle at " + bundleKey + " in the blob store (the Render step writes it before the stage runs)"));
        var bundle = StageBundle.fromZip(archive);
        var manifest = bundle.manifest();
        if (!infra.equals(manifest.infrastructure()) || !runId.equals(manifest.runId()) || !stage.equals(manifest.stage())) {
            throw new RunRefusedException("the bundle at " + bundleKey + " was rendered for " + manifest.infrastructure() + "/"
                    + manifest.runId() + "/" + manifest.stage() + ", not " + infra + "/" + runId + "/" + stage);
        }
        boolean temporary = workDir == null;
        var dir = temporary ? Files.createTempDirectory("cairn-stage-") : workDir.toAbsolutePath();
        try {
            bundle.writeTo(dir);
            var redactor = new Redactor();
            var tfvars = bundle.files().get(StageRenderer.TFVARS);
            if (tfvars != null && !manifest.sensitiveInputs().isEmpty()) {
                var vars = Json.MAPPER.readValue(tfvars, Map.class);
                manifest.sensitiveInputs().forEach(name -> redactor.add(vars.get(name)));
            }
            var stateFile = workDirState(bundle, dir);
            if (stateFile != null) {
                var state = stores.blobs().get(BundleKeys.state(infra, stage));
                if (state.isPresent()) AtomicFiles.write(stateFile, state.get());
            }
            var captured = new StringWriter();
            var log = new TeeWriter(captured, new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
            StageReport report;
            try {
                var terraformEnv = StageEnvironment.resolve(System.getenv(), dir, runId, stage, redactor, step == Step.preview);
                report = step(stores, dir, terraformEnv, times, log, redactor, logKey, "DESTROY".equals(manifest.action()));
            } catch (RuntimeException e) {
                var message = redactor.apply(e instanceof RunRefusedException || e instanceof dev.cairn.reconciler.terraform.StageFailedException
                        ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage());
                log.write("# stage failed: " + message + "\n");
                report = new StageReport(infra, runId, stage, step.name(), StageStatus.FAILED, null, null, null, Map.of(), logKey, message);
            }
            report = report.withTimings(timings(stores.blobs(), processStart, times));
            log.flush();
            // a failed apply leaves state too: it is put back whatever the outcome (never after a preview: it writes no state)
            if (step != Step.preview && stateFile != null && Files.isRegularFile(stateFile)) stores.blobs().put(BundleKeys.state(infra, stage), Files.readAllBytes(stateFile));
            appendLog(stores.blobs(), logKey, captured.toString());
            var json = Json.MAPPER.writeValueAsBytes(report);
            stores.blobs().put(BundleKeys.result(infra, runId, stage), json);
            if (result != null) AtomicFiles.write(result, json);
            var shown = new LinkedHashMap<String, Object>();
            shown.put("step", report.step());
            shown.put("status", report.status());
            if (report.plan() != null) shown.put("plan", report.plan());
            if (report.planKey() != null) {
                shown.put("planKey", report.planKey());
                shown.put("planSha256", report.planSha256());
            }
            shown.put("outputs", report.outputs());
            shown.put("result", BundleKeys.result(infra, runId, stage));
            shown.put("log", logKey);
            if (report.error() != null) shown.put("error", report.error());
            shown.put("timings", report.timings());
            print(shown);
            if (report.status() == StageStatus.FAILED) {
                spec.commandLine().getErr().println("error: " + report.error());
                spec.commandLine().getErr().flush();
                return Cairn.RUN_FAILED;
            }
            return Cairn.OK;
        } finally {
            if (temporary) ModuleFetcher.deleteTree(dir);
        }
    }

    private StageReport step(Stores stores, Path dir, Map<String, String> terraformEnv, CommandTimes times, Writer log, Redactor redactor,
                             String logKey, boolean destroyRun) throws IOException {
        var runner = runner(dir, terraformEnv).timedBy(times);
        var planKey = BundleKeys.plan(infra, runId, stage);
        var summaryKey = BundleKeys.planSummary(infra, runId, stage);
        switch (step) {
            case plan, destroy_plan -> {
                boolean destroy = step == Step.destroy_plan;
                runner.init(dir, log, redactor);
                var planned = runner.plan(dir, destroy, log, redactor);
                var outputs = known(planned.plannedOutputs(), redactor);
                var summary = planned.summary();
                stores.blobs().put(summaryKey, Json.MAPPER.writeValueAsBytes(summary));
                if (!summary.hasChanges()) {
                    return new StageReport(infra, runId, stage, step.name(), StageStatus.NO_CHANGES, summary, null, null,
                            destroy ? Map.of() : outputs, logKey, null);
                }
                var plan = Files.readAllBytes(dir.resolve(StageRunner.PLAN_FILE));
                stores.blobs().put(planKey, plan);
                return new StageReport(infra, runId, stage, step.name(), StageStatus.PLANNED, summary, planKey, StageBundle.sha256(plan),
                        destroy ? Map.of() : outputs, logKey, null);
            }
            case preview -> {
                // a pull request's plan: nothing it makes can be applied or read as the infrastructure's outputs
                var previewRunner = runner(dir, withPreviewEnv(terraformEnv)).timedBy(times);
                log.write(PREVIEW_LOG_NOTE);
                previewRunner.init(dir, log, redactor);
                // what the stage last applied: its sensitive outputs join the redactor, so the PR's code cannot echo one
                // (computed again, or made nonsensitive()) into the log, the report or the comment
                known(previewRunner.outputs(dir, log, redactor), redactor);
                var planned = previewRunner.plan(dir, false, log, redactor, false);
                if (!planned.summary().outputChanges().isEmpty()) {
                    // only the plan file says which changed outputs are known only after apply: read it back (show -json,
                    // seconds with the AWS provider) only when outputs change; its sensitive values join the redactor, none is kept
                    planned = previewRunner.readBack(dir, log, redactor, planned.outputNames());
                    known(planned.plannedOutputs(), redactor);
                }
                var summary = planned.summary();
                stores.blobs().put(summaryKey, Json.MAPPER.writeValueAsBytes(summary));
                return new StageReport(infra, runId, stage, step.name(), summary.hasChanges() ? StageStatus.PLANNED : StageStatus.NO_CHANGES,
                        summary, null, null, Map.of(), logKey, null);
            }
            case apply -> {
                var expected = expectedPlanSha256(stores);
                var plan = stores.blobs().get(planKey).orElseThrow(() -> new RunRefusedException(
                        "no saved plan at " + planKey + " (plan the stage first); nothing was applied"));
                var actual = StageBundle.sha256(plan);
                if (!actual.equalsIgnoreCase(expected)) {
                    throw new RunRefusedException("the saved plan at " + planKey + " has SHA-256 " + actual + ", but " + expected
                            + " was recorded when it was made: refusing to apply a plan other than the one reviewed; nothing was applied");
                }
                AtomicFiles.write(dir.resolve(StageRunner.PLAN_FILE), plan);
                var summary = stores.blobs().get(summaryKey).map(StageCommand::summary).orElse(null);
                runner.init(dir, log, redactor);
                var outputs = runner.apply(dir, log, redactor);
                return new StageReport(infra, runId, stage, step.name(), destroyRun ? StageStatus.DESTROYED : StageStatus.APPLIED, summary,
                        planKey, actual, destroyRun ? Map.of() : known(outputs, redactor), logKey, null);
            }
            case outputs -> {
                runner.init(dir, log, redactor);
                var outputs = runner.outputs(dir, log, redactor);
                return new StageReport(infra, runId, stage, step.name(), StageStatus.NO_CHANGES, null, null, null,
                        known(outputs, redactor), logKey, null);
            }
        }
        throw new IllegalStateException("unknown step " + step);
    }

    /**
     * This step's timings; an apply's also hold those of the plan step whose report it replaces
     * (the same run and stage), so the report Record reads covers the stage's whole build.
     */
    private StageReport.Timings timings(BlobStore blobs, Instant processStart, CommandTimes times) {
        var first = times.firstStartedAt();
        var startup = first == null ? 0 : Math.max(0, Duration.between(processStart, first).toMillis());
        var mine = new StageReport.Timings(processStart, first, times.ordered(), startup);
        if (step != Step.apply) return mine;
        var before = blobs.get(BundleKeys.result(infra, runId, stage)).map(StageCommand::report).orElse(null);
        boolean itsPlan = before != null && before.timings() != null && infra.equals(before.infrastructure()) && runId.equals(before.runId())
                && stage.equals(before.stage()) && (Step.plan.name().equals(before.step()) || Step.destroy_plan.name().equals(before.step()));
        return itsPlan ? before.timings().then(mine) : mine;
    }

    /** When this process (the JVM) started: where a build's own start-up begins. */
    private static Instant processStart() {
        try {
            return Instant.ofEpochMilli(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
        } catch (RuntimeException | LinkageError unavailable) {
            return Instant.now();
        }
    }

    private static StageReport report(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, StageReport.class);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The state file of a bundle whose local backend keeps it in the work dir (a relative path,
     * {@code StageRenderer.LocalState.IN_WORK_DIR}): it is kept in the blob store between builds.
     * Null for an S3 backend or an absolute path (local mode).
     */
    static Path workDirState(StageBundle bundle, Path dir) throws IOException {
        var backend = bundle.files().get(StageRenderer.BACKEND);
        if (backend == null) return null;
        var path = Json.MAPPER.readTree(backend).path("terraform").path("backend").path("local").path("path");
        if (!path.isTextual() || Path.of(path.asText()).isAbsolute()) return null;
        var file = dir.resolve(path.asText()).normalize();
        if (!file.startsWith(dir) || file.equals(dir)) {
            throw new RunRefusedException("the bundle's local state path `" + path.asText() + "` points outside its work dir");
        }
        return file;
    }

    /** The SHA-256 the plan had when it was made: {@code --plan-sha256}, else the run record's. */
    private String expectedPlanSha256(Stores stores) {
        if (notBlank(planSha256)) return planSha256.trim();
        if (stores.runs() != null) {
            var recorded = stores.runs().get(infra, runId).map(r -> r.stage(stage)).map(r -> r.planSha256()).orElse(null);
            if (notBlank(recorded)) return recorded;
        }
        throw new RunRefusedException("no SHA-256 recorded for the saved plan of " + infra + "/" + runId + "/" + stage
                + ": pass --plan-sha256 HEX (the Plan step's result), or record the plan step first; nothing was applied");
    }

    private static PlanSummary summary(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, PlanSummary.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Outputs whose values are known, each sensitive one's value taught to the redactor. */
    private static Map<String, StageOutputs.Output> known(Map<String, StageOutputs.Output> outputs, Redactor redactor) {
        var out = new LinkedHashMap<String, StageOutputs.Output>();
        if (outputs == null) return out;
        outputs.forEach((k, v) -> {
            if (v.value() == Unknown.VALUE) return;
            if (v.sensitive()) redactor.add(v.value());
            out.put(k, v);
        });
        return out;
    }

    /** The stage log grows across steps (plan in one build, apply in the next): appended, not replaced. */
    private static void appendLog(BlobStore blobs, String key, String text) {
        var before = blobs.get(key).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
        blobs.put(key, (before + text).getBytes(StandardCharsets.UTF_8));
    }

    /** Prints the result with every sensitive output masked. */
    private void print(Map<String, Object> body) throws IOException {
        var shown = new LinkedHashMap<>(body);
        if (shown.get("outputs") instanceof Map<?, ?> outs) {
            var masked = new LinkedHashMap<String, Object>();
            outs.forEach((k, v) -> masked.put(String.valueOf(k), v instanceof StageOutputs.Output o
                    ? (o.sensitive() ? Redactor.MASK : o.value()) : v));
            shown.put("outputs", masked);
        }
        spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(shown));
        spec.commandLine().getOut().flush();
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /** The log goes to the blob store and to the build's own output (CloudWatch), both redacted by TerraformCli. */
    private static final class TeeWriter extends Writer {
        private final Writer a;
        private final Writer b;

        TeeWriter(Writer a, Writer b) {
            this.a = a;
            this.b = b;
        }

        /** The build's own output is flushed as it comes, so that its log (CloudWatch, or cairn serve's) is live. */
        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
            b.flush();
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
