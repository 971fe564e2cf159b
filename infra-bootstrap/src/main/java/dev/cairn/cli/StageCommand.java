package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.store.local.AtomicFiles;
import dev.cairn.reconciler.terraform.StageRunner;
import dev.cairn.reconciler.terraform.TerraformBinary;
import dev.cairn.reconciler.terraform.TerraformCli;
import dev.cairn.reconciler.terraform.TerraformEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;

/**
 * Runs one rendered stage work dir: the entry point of the CodeBuild container, which gets the
 * bundle Cairn rendered (module, tfvars, backend and provider config) and runs the same
 * {@link StageRunner} as local mode.
 */
@Command(name = "stage", description = "Run Terraform in one rendered stage work dir (what the CodeBuild container runs).")
final class StageCommand implements Callable<Integer> {
    enum Step { plan, destroy_plan, apply, outputs }

    @Parameters(index = "0", paramLabel = "STEP", description = "plan, destroy_plan, apply (the saved plan) or outputs.")
    Step step;

    @Option(names = "--work-dir", required = true, paramLabel = "DIR", description = "The rendered stage work dir.")
    Path workDir;

    @Option(names = "--result", paramLabel = "FILE", description = "Write the full result as JSON here (owner-only; holds sensitive outputs).")
    Path result;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var terraform = TerraformBinary.find(null);
        var runner = new StageRunner(new TerraformCli(terraform, TerraformEnvironment.create(workDir.resolve(".terraform").toAbsolutePath())));
        var log = new OutputStreamWriter(System.err, StandardCharsets.UTF_8);
        var redactor = new Redactor();
        var body = new LinkedHashMap<String, Object>();
        body.put("step", step.name());
        runner.init(workDir, log, redactor);
        switch (step) {
            case plan, destroy_plan -> {
                var planned = runner.plan(workDir, step == Step.destroy_plan, log, redactor);
                body.put("plan", planned.summary());
                body.put("outputs", planned.plannedOutputs());
            }
            case apply -> body.put("outputs", runner.apply(workDir, log, redactor));
            case outputs -> body.put("outputs", runner.outputs(workDir, log, redactor));
        }
        if (result != null) AtomicFiles.write(result, Json.MAPPER.writeValueAsBytes(body));
        var shown = new LinkedHashMap<>(body);
        if (shown.get("outputs") instanceof java.util.Map<?, ?> outs) {
            var masked = new LinkedHashMap<String, Object>();
            outs.forEach((k, v) -> masked.put(String.valueOf(k), v instanceof dev.cairn.reconciler.store.StageOutputs.Output o && o.sensitive() ? Redactor.MASK
                    : v instanceof dev.cairn.reconciler.store.StageOutputs.Output o2 ? o2.value() : v));
            shown.put("outputs", masked);
        }
        spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(shown));
        spec.commandLine().getOut().flush();
        return Cairn.OK;
    }
}
