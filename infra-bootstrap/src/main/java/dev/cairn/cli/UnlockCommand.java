package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "unlock", description = "Remove the lock of an infrastructure whose run is gone (a crashed process, a killed CI job).")
final class UnlockCommand extends RepoCommand {
    @Option(names = "--infra", required = true, paramLabel = "NAME", description = "The infrastructure.")
    String infra;

    @Override
    public Integer call() {
        var locks = common.workspace(repo).locks();
        var owner = locks.owner(infra);
        if (common.json()) {
            owner.ifPresent(o -> locks.forceRelease(infra));
            var body = new java.util.LinkedHashMap<String, Object>();
            body.put("infrastructure", infra);
            body.put("released", owner.orElse(null));
            printJson(body);
            return Cairn.OK;
        }
        if (owner.isEmpty()) {
            out().println("`" + infra + "` is not locked.");
        } else {
            locks.forceRelease(infra);
            out().println("Removed the lock of `" + infra + "` held by run " + owner.get().runId() + " (" + owner.get().holder()
                    + ", pid " + owner.get().pid() + ", since " + owner.get().since() + ").");
        }
        out().flush();
        return Cairn.OK;
    }
}
