package dev.cairn.reconciler.terraform;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.template.Unknown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Drives Terraform in one rendered stage work dir: init (skipped when nothing it depends on
 * changed), plan to a saved plan file, show -json, apply of that saved plan, output -json.
 * This is the piece the CodeBuild container runs too: it knows nothing of manifests or runs.
 */
public final class StageRunner {
    public static final String PLAN_FILE = "cairn.tfplan";
    /** Terraform override file that marks variables (and the outputs that use them) sensitive. */
    public static final String SENSITIVE_OVERRIDE = "cairn_override.tf.json";
    private static final String INIT_MARKER = ".terraform/cairn-init.sha256";
    /** Terraform's plugin cache is not safe for concurrent inits: with one, one init at a time per process. */
    private static final Object INIT_LOCK = new Object();

    private final TerraformCli cli;

    public StageRunner(TerraformCli cli) {
        this.cli = cli;
    }

    /** The same runner, adding the time of each terraform command to {@code times}. */
    public StageRunner timedBy(CommandTimes times) {
        return new StageRunner(cli.timedBy(times));
    }

    /**
     * @param plannedOutputs output values after the plan (values not known before apply are
     *                       {@link Unknown#VALUE}); null when the plan was made without them
     * @param outputNames    every output the configuration has
     */
    public record PlanResult(PlanSummary summary, Map<String, StageOutputs.Output> plannedOutputs, List<String> outputNames) {
    }

    /**
     * Runs {@code terraform init} unless the work dir was initialized with exactly the module files,
     * provider requirements (the dependency lock file included) and generated backend/provider it
     * has now: then nothing runs at all. Inputs (tfvars) do not count.
     */
    public void init(Path dir, Writer log, UnaryOperator<String> redact) {
        var hash = initHash(dir);
        var marker = dir.resolve(INIT_MARKER);
        try {
            if (Files.exists(marker) && Files.readString(marker).equals(hash)) return;
            if (cli.sharesPluginCache()) {
                synchronized (INIT_LOCK) {
                    initNow(dir, log, redact);
                }
            } else {
                // no shared cache (providers from a registry download or a local mirror into each work dir): inits run in parallel
                initNow(dir, log, redact);
            }
            Files.createDirectories(marker.getParent());
            // after init: the lock file it wrote (or kept) is part of what the next run compares
            Files.writeString(marker, initHash(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void initNow(Path dir, Writer log, UnaryOperator<String> redact) {
        var result = cli.run(dir, log, redact, TerraformCli.Stdout.LOG, "init", "-input=false", "-no-color", "-reconfigure");
        check(result, "terraform init");
    }

    /** Plans with the output values too (what a confirmation and deferred downstream stages need). */
    public PlanResult plan(Path dir, boolean destroy, Writer log, UnaryOperator<String> redact) {
        return plan(dir, destroy, log, redact, true);
    }

    /**
     * Plans to the saved plan file. With {@code withValues} it also reads the plan back
     * ({@code show -json}) for the planned output values; without, the summary comes from the
     * plan's own JSON stream and one terraform process is saved.
     */
    public PlanResult plan(Path dir, boolean destroy, Writer log, UnaryOperator<String> redact, boolean withValues) {
        var args = new ArrayList<>(List.of("plan", "-json", "-input=false", "-no-color", "-lock-timeout=120s",
                "-detailed-exitcode", "-out=" + PLAN_FILE));
        if (destroy) args.add("-destroy");
        var result = cli.run(dir, log, redact, TerraformCli.Stdout.CAPTURE_UI, args.toArray(String[]::new));
        var ui = UiStream.parse(result.stdout());
        if (result.exitCode() != 0 && result.exitCode() != 2) throw failure("terraform plan", result, ui);
        if (!withValues) return new PlanResult(ui.summary(), null, ui.outputNames());
        return readBack(dir, log, redact, ui.outputNames());
    }

    /**
     * Reads the saved plan back ({@code terraform show -json}): the summary with which changed
     * outputs are known only after apply, and the planned output values. A process of its own that
     * loads every provider's schema (seconds with the AWS provider), so callers ask only when they
     * need it.
     */
    public PlanResult readBack(Path dir, Writer log, UnaryOperator<String> redact, List<String> outputNames) {
        var show = cli.run(dir, log, redact, TerraformCli.Stdout.CAPTURE, "show", "-json", "-no-color", PLAN_FILE);
        check(show, "terraform show");
        try {
            var plan = Json.MAPPER.readTree(show.stdout());
            return new PlanResult(PlanSummary.parse(plan), plannedOutputs(plan), outputNames);
        } catch (IOException e) {
            throw new StageFailedException("cannot read the plan JSON: " + e.getMessage());
        }
    }

    /** What an apply without a saved plan did, and the outputs after it. */
    public record ApplyResult(PlanSummary summary, Map<String, StageOutputs.Output> outputs) {
    }

    /**
     * Plans and applies in one terraform command, for runs that apply without a pause for
     * review ({@code --yes}, policy auto-apply): one provider start instead of two. With
     * {@code destroy} it destroys; the outputs are then empty.
     */
    public ApplyResult applyDirect(Path dir, boolean destroy, Writer log, UnaryOperator<String> redact) {
        var args = new ArrayList<>(List.of("apply", "-json", "-input=false", "-no-color", "-lock-timeout=120s", "-auto-approve"));
        if (destroy) args.add("-destroy");
        var result = cli.run(dir, log, redact, TerraformCli.Stdout.CAPTURE_UI, args.toArray(String[]::new));
        var ui = UiStream.parse(result.stdout());
        if (result.exitCode() != 0) throw failure("terraform apply", result, ui);
        if (destroy) return new ApplyResult(ui.summary(), Map.of());
        var applied = ui.appliedOutputs();
        return new ApplyResult(ui.summary(), applied != null ? applied : outputs(dir, log, redact));
    }

    /** Applies the saved plan; the outputs come from the apply's own stream unless one is sensitive. */
    public Map<String, StageOutputs.Output> apply(Path dir, Writer log, UnaryOperator<String> redact) {
        var result = cli.run(dir, log, redact, TerraformCli.Stdout.CAPTURE_UI, "apply", "-json", "-input=false", "-no-color", "-lock-timeout=120s",
                "-auto-approve", PLAN_FILE);
        var ui = UiStream.parse(result.stdout());
        if (result.exitCode() != 0) throw failure("terraform apply", result, ui);
        try {
            Files.deleteIfExists(dir.resolve(PLAN_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var applied = ui.appliedOutputs();
        return applied != null ? applied : outputs(dir, log, redact);
    }

    public Map<String, StageOutputs.Output> outputs(Path dir, Writer log, UnaryOperator<String> redact) {
        var result = cli.run(dir, log, redact, TerraformCli.Stdout.CAPTURE, "output", "-json", "-no-color");
        check(result, "terraform output");
        try {
            var out = new LinkedHashMap<String, StageOutputs.Output>();
            var tree = Json.MAPPER.readTree(result.stdout().isBlank() ? "{}" : result.stdout());
            tree.fields().forEachRemaining(e -> out.put(e.getKey(), new StageOutputs.Output(
                    Json.MAPPER.convertValue(e.getValue().path("value"), Object.class), e.getValue().path("sensitive").asBoolean())));
            return out;
        } catch (IOException e) {
            throw new StageFailedException("cannot read terraform output -json: " + e.getMessage());
        }
    }

    /**
     * Declares {@code variables} sensitive to Terraform (an override file merges
     * {@code sensitive = true} into the module's own declarations), and with them every output of
     * the module whose value uses one directly: Terraform refuses such an output unless it is
     * sensitive too. No variables: the file is removed.
     */
    public static void declareSensitive(Path dir, java.util.Collection<String> variables) {
        var file = dir.resolve(SENSITIVE_OVERRIDE);
        try {
            if (variables.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            var root = Json.MAPPER.createObjectNode();
            var vars = root.putObject("variable");
            variables.forEach(v -> vars.putObject(v).put("sensitive", true));
            var outputs = Json.MAPPER.createObjectNode();
            var block = java.util.regex.Pattern.compile("(?s)(?:^|\\n)\\s*output\\s+\"([^\"]+)\"\\s*\\{(.*?)\\n}");
            try (Stream<Path> files = Files.list(dir)) {
                for (var tf : files.filter(p -> p.getFileName().toString().endsWith(".tf")
                        && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                    var m = block.matcher(Files.readString(tf));
                    while (m.find()) {
                        var body = m.group(2);
                        if (variables.stream().anyMatch(v -> java.util.regex.Pattern.compile("\\bvar\\." + java.util.regex.Pattern.quote(v) + "\\b").matcher(body).find())) {
                            outputs.putObject(m.group(1)).put("sensitive", true);
                        }
                    }
                }
            }
            if (!outputs.isEmpty()) root.set("output", outputs);
            dev.cairn.reconciler.store.local.AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, StageOutputs.Output> plannedOutputs(JsonNode plan) {
        var out = new LinkedHashMap<String, StageOutputs.Output>();
        var changes = plan.path("output_changes");
        plan.path("planned_values").path("outputs").fields().forEachRemaining(e -> {
            var node = e.getValue();
            boolean sensitive = node.path("sensitive").asBoolean();
            boolean unknown = !node.has("value") || changes.path(e.getKey()).path("after_unknown").asBoolean(false);
            out.put(e.getKey(), new StageOutputs.Output(unknown ? Unknown.VALUE
                    : Json.MAPPER.convertValue(node.get("value"), Object.class), sensitive));
        });
        // outputs that are entirely unknown may be missing from planned_values
        changes.fields().forEachRemaining(e -> {
            if (!out.containsKey(e.getKey()) && e.getValue().path("after_unknown").asBoolean(false)) {
                out.put(e.getKey(), new StageOutputs.Output(Unknown.VALUE, e.getValue().path("after_sensitive").asBoolean()));
            }
        });
        return out;
    }

    private static void check(CommandResult result, String what) {
        if (result.exitCode() != 0) throw failure(what, result);
    }

    private static StageFailedException failure(String what, CommandResult result, UiStream ui) {
        var errors = ui.errors();
        if (errors.isBlank()) return failure(what, result);
        return new StageFailedException(what + " failed (exit " + result.exitCode() + "): " + errors);
    }

    private static StageFailedException failure(String what, CommandResult result) {
        return new StageFailedException(what + " failed (exit " + result.exitCode() + "): " + terraformError(result.errorTail()));
    }

    private static final String INIT_PREAMBLE = "Error: Terraform encountered problems during initiali";

    /** Terraform's error box without its frame: "Error: ..." and the lines that explain it (the first real one, past init's preamble). */
    static String terraformError(String stderr) {
        var lines = stderr.lines().map(l -> l.replaceFirst("^[│╷╵]\\s?", "")).toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("Error:")) continue;
            // init's preamble box ("Terraform encountered problems during initialisation, …") says nothing: the real error follows
            if (start < 0 || lines.get(start).startsWith(INIT_PREAMBLE)) start = i;
            if (!lines.get(start).startsWith(INIT_PREAMBLE)) break;
        }
        var picked = start < 0 ? lines.subList(Math.max(0, lines.size() - 8), lines.size()) : lines.subList(start, Math.min(lines.size(), start + 12));
        return String.join("\n", picked.stream().filter(l -> !l.isBlank()).toList()).trim();
    }

    /**
     * What init depends on: every module file, the dependency lock file and the generated
     * backend/provider config (not tfvars or plans).
     */
    static String initHash(Path dir) {
        return digest(dir, rel -> !(rel.endsWith(".tfvars.json") || rel.equals("cairn_outputs.tf.json") || rel.equals(SENSITIVE_OVERRIDE)));
    }

    /**
     * The fingerprint of what a plan in {@code dir} is made from: the rendered tfvars, the module
     * tree, the sensitive-variables override and the generated backend and provider, as rendered
     * now (not Terraform's data, saved plans or state). Two renders of a stage with the same
     * fingerprint give Terraform the same configuration and inputs, so a plan made from one is the
     * plan of the other.
     */
    public static String inputsFingerprint(Path dir) {
        return digest(dir, rel -> !rel.equals(".terraform.lock.hcl"));
    }

    private static String digest(Path dir, java.util.function.Predicate<String> include) {
        try (Stream<Path> walk = Files.walk(dir)) {
            var digest = MessageDigest.getInstance("SHA-256");
            for (var p : walk.filter(Files::isRegularFile).sorted().toList()) {
                var rel = dir.relativize(p).toString();
                if (rel.startsWith(".terraform/") || rel.endsWith(".tfplan") || rel.endsWith(".tfstate") || rel.endsWith(".tfstate.backup")
                        || rel.equals(".terraform.tfstate.lock.info") || !include.test(rel)) continue;
                digest.update(rel.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(Files.readAllBytes(p));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
