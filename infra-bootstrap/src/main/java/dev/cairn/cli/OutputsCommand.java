package dev.cairn.cli;

import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.run.Redactor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "outputs", description = "The outputs of each applied stage of an infrastructure. Sensitive values are never shown.")
final class OutputsCommand extends RepoCommand {
    @Option(names = "--infra", required = true, paramLabel = "NAME", description = "The infrastructure.")
    String infra;

    @Option(names = "--stage", paramLabel = "STAGE", description = "Only this stage.")
    String stage;

    @Option(names = "--stack", paramLabel = "NAME", description = "Read from this deployed Cairn stack's table and bucket instead of the local state dir; found through CloudFormation (AWS_REGION, AWS_ENDPOINT_URL for an emulator).")
    String stack;

    /** The environment the AWS clients read their endpoint and credentials from (tests give their own). */
    Map<String, String> processEnv = System.getenv();

    @Override
    public Integer call() throws Exception {
        StackStores stores;
        try {
            stores = stack == null ? StackStores.local(common.workspace(repo)) : StackStores.deployed(stack, processEnv);
        } catch (StackStores.UnavailableException e) {
            return StackStores.report(err(), e);
        }
        try (stores) {
            return print(stores.outputs().all(infra));
        }
    }

    private int print(Map<String, dev.cairn.reconciler.store.StageOutputs> all) throws Exception {
        // every secret of the infrastructure: a plain output that carries one is not shown either
        var secrets = new Redactor();
        all.values().forEach(o -> o.values().values().forEach(v -> {
            if (v.sensitive()) secrets.add(v.value());
        }));
        var shown = new LinkedHashMap<String, Map<String, Object>>();
        all.forEach((name, outputs) -> {
            if (stage != null && !stage.equals(name)) return;
            var values = new LinkedHashMap<String, Object>();
            outputs.values().forEach((k, v) -> values.put(k, v.sensitive() || secrets.reveals(v.value()) ? Redactor.MASK : v.value()));
            shown.put(name, values);
        });
        if (common.json()) {
            printJson(shown);
            return Cairn.OK;
        }
        if (shown.isEmpty()) {
            err().println("No outputs for `" + infra + "`" + (stage == null ? "" : " stage `" + stage + "`") + ": nothing was applied yet.");
            err().flush();
            return Cairn.RUN_FAILED;
        }
        var t = terminal();
        var compact = Json.MAPPER.copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
        for (var e : shown.entrySet()) {
            out().println(t.bold(e.getKey()));
            for (var o : e.getValue().entrySet()) {
                var text = Redactor.MASK.equals(o.getValue()) ? t.dim(Redactor.MASK) : compact.writeValueAsString(o.getValue());
                out().println("  " + o.getKey() + " = " + text);
            }
        }
        out().flush();
        return Cairn.OK;
    }
}
