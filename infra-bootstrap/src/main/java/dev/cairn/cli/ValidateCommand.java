package dev.cairn.cli;

import dev.cairn.reconciler.diag.Diagnostic;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "validate", description = "Check every manifest of the repo: YAML, schema, names, CIDRs, module sources, dependencies, cycles and template references.")
final class ValidateCommand extends RepoCommand {

    @Override
    public Integer call() {
        var report = validator().validate(repo);
        var diagnostics = report.diagnostics();
        if (common.json()) {
            var body = new LinkedHashMap<String, Object>();
            body.put("valid", report.ok());
            body.put("infrastructures", report.repo().infrastructures().keySet());
            body.put("diagnostics", diagnostics.stream().map(ValidateCommand::toJson).toList());
            printJson(body);
        } else if (report.ok()) {
            var names = report.repo().infrastructures().keySet();
            out().println(terminal().green("✓") + " " + names.size() + " infrastructure" + (names.size() == 1 ? "" : "s")
                    + " valid" + (names.size() <= 10 ? ": " + String.join(", ", names) : ""));
        } else {
            diagnostics.forEach(d -> err().println(d.format()));
            err().println(diagnostics.size() + " problem" + (diagnostics.size() == 1 ? "" : "s") + " found.");
        }
        out().flush();
        err().flush();
        return report.ok() ? Cairn.OK : Cairn.INVALID;
    }

    static Map<String, Object> toJson(Diagnostic d) {
        var m = new LinkedHashMap<String, Object>();
        m.put("file", d.location().file());
        m.put("line", d.location().line());
        m.put("column", d.location().column());
        m.put("rule", d.rule());
        m.put("message", d.message());
        m.put("hint", d.hint());
        return m;
    }

    static List<Map<String, Object>> toJson(List<Diagnostic> ds) {
        return ds.stream().map(ValidateCommand::toJson).toList();
    }
}
