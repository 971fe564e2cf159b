package dev.cairn.cli;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.approval.local.LocalApprovalStore;
import dev.cairn.reconciler.approval.local.LocalRunResumer;
import dev.cairn.reconciler.run.RunRefusedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cairn approve RUN} / {@code cairn reject RUN}: decides the approval a run waits for under
 * {@code cairn serve}, as a Slack click would: the decision goes to the state dir's approval store
 * ({@link LocalApprovalStore}, of two decisions exactly one wins) and the answer to
 * {@link LocalRunResumer}, which the server hands to the waiting execution. Every stage of the run
 * waiting now is decided, or only {@code --stage}'s. Whoever can write the
 * state dir is trusted here (as with {@code cairn unlock}): {@code spec.policy.approvers} and four
 * eyes are enforced in Slack, not on this machine's own terminal.
 */
abstract class ApproveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN", description = "The run id (cairn status shows it; so does the status page of cairn serve).")
    String runId;

    @Option(names = "--infra", paramLabel = "NAME", description = "The run's infrastructure (default: found from the run id).")
    String infra;

    @Option(names = "--stage", paramLabel = "STAGE", description = "Only this stage (default: every stage of the run that waits now).")
    String stage;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept with the decision).")
    String reason;

    @Option(names = "--as", paramLabel = "NAME", description = "Who decides, for the record (default: $USER).")
    String who;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "The state dir of cairn serve (default: $CAIRN_STATE_DIR, else ./.cairn).")
    Path stateDir;

    @Spec
    CommandSpec spec;

    Map<String, String> processEnv = System.getenv();

    abstract boolean approve();

    @Command(name = "approve", description = "Approve the plan a run waits on under cairn serve (as the Slack Approve button does).")
    static final class Approve extends ApproveCommand {
        @Override
        boolean approve() {
            return true;
        }
    }

    @Command(name = "reject", description = "Reject the plan a run waits on under cairn serve: the stage is recorded not approved.")
    static final class Reject extends ApproveCommand {
        @Override
        boolean approve() {
            return false;
        }
    }

    @Override
    public Integer call() {
        var dir = stateDir != null ? stateDir : notBlank(processEnv.get("CAIRN_STATE_DIR")) ? Path.of(processEnv.get("CAIRN_STATE_DIR")) : Path.of(".cairn");
        var approvalsDir = dir.resolve("approvals");
        var store = new LocalApprovalStore(approvalsDir);
        var waiting = new ArrayList<ApprovalStore.Approval>();
        for (var name : infra != null ? List.of(infra) : infrastructures(approvalsDir)) {
            store.pending(name).stream().filter(a -> a.runId().equals(runId) && (stage == null || a.stage().equals(stage))).forEach(waiting::add);
        }
        if (waiting.isEmpty()) {
            throw new RunRefusedException("no approval waits for run " + runId + (stage == null ? "" : " stage " + stage) + " in " + approvalsDir
                    + " (decided already, expired, or another state dir: --state-dir DIR)");
        }
        var by = "cli:" + (notBlank(who) ? who.strip() : processEnv.getOrDefault("USER", "local"));
        var resumer = new LocalRunResumer(approvalsDir.resolve("answers"));
        var out = spec.commandLine().getOut();
        int decidedCount = 0;
        for (var approval : waiting) {
            var decided = store.decide(approval.infrastructure(), runId, approval.stage(),
                    approve() ? ApprovalStore.State.APPROVED : ApprovalStore.State.REJECTED, by, reason, Instant.now());
            if (decided.isEmpty()) {
                out.println("skipped: " + approval.id() + " was decided meanwhile, or has expired");
                continue;
            }
            if (approve()) resumer.approved(decided.get());
            else resumer.rejected(decided.get());
            decidedCount++;
            out.println((approve() ? "approved" : "rejected") + ": " + approval.infrastructure() + " run " + runId + " stage " + approval.stage()
                    + " (by " + by + ")");
        }
        if (decidedCount > 0) out.println("cairn serve resumes the run; later stages may ask again (cairn status REPO --run " + runId + ")");
        out.flush();
        return decidedCount > 0 ? Cairn.OK : Cairn.RUN_FAILED;
    }

    private static List<String> infrastructures(Path approvalsDir) {
        if (!Files.isDirectory(approvalsDir)) return List.of();
        try (var list = Files.list(approvalsDir)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.equals("answers")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
