package dev.cairn.cli;

import dev.cairn.reconciler.store.LockStore.LockOwner;
import dev.cairn.reconciler.store.local.LocalLockStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn unlock}: removes the lock of a run that is gone (a crashed process, a killed CI job).
 * A lock whose run may still be running (a live process of this host, a lease not yet run out, a
 * holder on another host) is refused unless {@code --force}, and the refusal says who holds it:
 * removing a live run's lock lets a second run touch the same Terraform state at once.
 */
@Command(name = "unlock", description = "Remove the lock of an infrastructure whose run is gone (a crashed process, a killed CI job).")
final class UnlockCommand extends RepoCommand {
    @Option(names = "--infra", required = true, paramLabel = "NAME", description = "The infrastructure.")
    String infra;

    @Option(names = "--force", description = "Remove the lock even when its run may still be running.")
    boolean force;

    @Override
    public Integer call() {
        var locks = common.workspace(repo).locks();
        var owner = locks.owner(infra);
        var refused = owner.isPresent() && !force && !LocalLockStore.isStale(owner.get());
        if (owner.isPresent() && !refused) locks.forceRelease(infra);
        if (common.json()) {
            var body = new java.util.LinkedHashMap<String, Object>();
            body.put("infrastructure", infra);
            body.put("released", refused ? null : owner.orElse(null));
            if (refused) body.put("heldBy", owner.get());
            printJson(body);
            return refused ? Cairn.RUN_FAILED : Cairn.OK;
        }
        if (owner.isEmpty()) {
            out().println("`" + infra + "` is not locked.");
        } else if (refused) {
            err().println("Refused: `" + infra + "` is locked by " + describe(owner.get()) + ", " + why(owner.get())
                    + ". Stop that run first; if you are sure it is gone, run `cairn unlock " + repo + " --infra " + infra
                    + " --force`.");
            err().flush();
            return Cairn.RUN_FAILED;
        } else {
            out().println("Removed the lock of `" + infra + "` held by " + describe(owner.get()) + ".");
        }
        out().flush();
        return Cairn.OK;
    }

    private static String describe(LockOwner o) {
        return "run " + o.runId() + " (" + o.holder() + ", pid " + o.pid() + ", since " + o.since()
                + (o.leaseUntil() == null ? "" : ", lease until " + o.leaseUntil()) + ")";
    }

    private static String why(LockOwner o) {
        if (o.leaseUntil() != null) return "whose lease has not run out";
        if (o.holder().equals(LocalLockStore.hostName())) return "a process of this host that is still running";
        return "a process of another host that Cairn cannot see from here";
    }
}
