package dev.cairn.cli;

import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.run.RunRefusedException;
import dev.cairn.reconciler.template.TemplateEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "graph", description = "Print the stage DAG of an infrastructure as Mermaid (default) or DOT.")
final class GraphCommand extends RepoCommand {
    enum GraphFormat { mermaid, dot }

    @Option(names = "--infra", required = true, paramLabel = "NAME", description = "The infrastructure.")
    String infra;

    @Option(names = "--format", defaultValue = "mermaid", description = "mermaid or dot (default: ${DEFAULT-VALUE}).")
    GraphFormat format;

    @Override
    public Integer call() {
        var loaded = loadRepo();
        var infrastructure = loaded.infrastructure(infra).orElseThrow(() -> new RunRefusedException(
                "no infrastructure named `" + infra + "` (there are: " + String.join(", ", loaded.infrastructures().keySet()) + ")"));
        var fetcher = new ModuleFetcher(common.workspace(repo).gitCache(), BuiltinModules.discover());
        var stages = new StageCatalog(fetcher, new TemplateEngine()).build(loaded, infrastructure).stages();
        var graph = stages.graph();
        if (common.json()) {
            var body = new LinkedHashMap<String, Object>();
            body.put("infrastructure", infra);
            body.put("waves", graph.waves());
            var deps = new LinkedHashMap<String, Object>();
            for (var s : graph.stages()) deps.put(s, List.copyOf(graph.dependenciesOf(s)));
            body.put("dependencies", deps);
            body.put("sources", sources(stages.definitions()));
            printJson(body);
        } else {
            out().print(format == GraphFormat.dot ? graph.toDot(infra) : graph.toMermaid());
            out().flush();
        }
        return Cairn.OK;
    }

    private static Map<String, String> sources(Map<String, dev.cairn.reconciler.graph.StageDefinition> defs) {
        var out = new LinkedHashMap<String, String>();
        defs.forEach((k, v) -> out.put(k, v.source() == null ? null : v.source().describe()));
        return out;
    }
}
