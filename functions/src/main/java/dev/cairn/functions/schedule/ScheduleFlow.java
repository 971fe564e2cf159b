package dev.cairn.functions.schedule;

import dev.cairn.functions.GitMirror;
import dev.cairn.reconciler.change.ChangeDetector;
import dev.cairn.reconciler.change.ChangeSet;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.RevisionStore;
import dev.cairn.reconciler.store.RunStore;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One tick of the schedule: fetch the tracked branch ({@code cairn.yaml}'s {@code branch}, read at
 * the repository's default branch and checked at the tracked one) and, for every infrastructure at
 * its head:
 *
 * <ul>
 *   <li>locked (a run in progress, lease not run out): skipped, and logged;</li>
 *   <li>last run a destroy: skipped (a push or a chat command brings it back);</li>
 *   <li>the head changed it since the last reconciled commit (the newer of its desired revision and
 *       its newest apply run; {@link ChangeDetector} between the two, as a push is judged), or
 *       nothing was ever reconciled: an APPLY run, trigger {@value #CATCH_UP} (a webhook was
 *       missed), its desired revision recorded first;</li>
 *   <li>otherwise a PLAN-only run, trigger {@value #DRIFT}: changes it plans are drift, which
 *       Finish hands to the notifier.</li>
 * </ul>
 *
 * Runs are named by infrastructure, head and the tick's window ({@link ScheduleWindow}), so a
 * retried tick maps to the runs it already started; a catch-up this window recorded is
 * recognised on the retry (its desired revision carries the window), so a retry does not turn it
 * into a drift check. Every decision goes to the audit log. {@code cairn.yaml} and the manifests are
 * read under the detector's repository path ({@code CAIRN_REPO_PATH}).
 */
public final class ScheduleFlow {
    public static final String CATCH_UP = "schedule:catch-up";
    public static final String DRIFT = "schedule:drift";
    static final String ACTOR = "schedule";
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleFlow.class);
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final int RUNS_LOOKED_AT = 20;

    private final RevisionStore revisions;
    private final RunStore runs;
    private final LockStore locks;
    private final AuditLog audit;
    private final RunLauncher launcher;
    private final ChangeDetector detector;
    private final GitMirror mirror;
    private final String repoUrl;
    private final ScheduleWindow window;
    private final Clock clock;

    public ScheduleFlow(RevisionStore revisions, RunStore runs, LockStore locks, AuditLog audit, RunLauncher launcher,
                        ChangeDetector detector, GitMirror mirror, String repoUrl, ScheduleWindow window, Clock clock) {
        this.revisions = revisions;
        this.runs = runs;
        this.locks = locks;
        this.audit = audit;
        this.launcher = launcher;
        this.detector = detector;
        this.mirror = mirror;
        this.repoUrl = repoUrl;
        this.window = window;
        this.clock = clock;
    }

    /** @param tickTime the scheduled event's {@code time} (the same on a retry of that event) */
    public Map<String, Object> tick(Instant tickTime) throws Exception {
        var windowStart = window.start(tickTime);
        String branch;
        try (var head = mirror.fetchTip(repoUrl, "HEAD")) {
            branch = detector.config(head.repository(), head.after()).branch();
        }
        var ref = "refs/heads/" + branch;
        try (var fetched = mirror.fetchTip(repoUrl, ref)) {
            var repo = fetched.repository();
            var commit = fetched.after();
            var tracked = detector.config(repo, commit).branch();
            if (!tracked.equals(branch)) {
                throw new IllegalStateException("cairn.yaml on the default branch tracks " + branch + ", but on " + branch
                        + " it tracks " + tracked + ": make them agree");
            }
            var body = new LinkedHashMap<String, Object>();
            body.put("branch", branch);
            body.put("commit", commit.name());
            body.put("window", windowStart.toString());
            var started = new ArrayList<Map<String, Object>>();
            var skipped = new ArrayList<Map<String, Object>>();
            var byBaseline = new HashMap<ObjectId, ChangeSet>();
            for (var changed : detector.between(repo, null, commit).changed()) {
                var infra = changed.infrastructure();
                var skip = skipReason(infra);
                if (skip.isPresent()) {
                    LOG.info("schedule: {} skipped: {}", infra, skip.get());
                    record(infra, "skipped", commit, Map.of("reason", skip.get()));
                    skipped.add(Map.of("infrastructure", infra, "reason", skip.get()));
                    continue;
                }
                var reasons = catchUpReasons(repo, commit, infra, windowStart, byBaseline);
                started.add(launch(infra, ref, commit.name(), windowStart, reasons));
            }
            body.put("started", started);
            body.put("skipped", skipped);
            return body;
        }
    }

    private Optional<String> skipReason(String infra) {
        var owner = locks.owner(infra);
        if (owner.isPresent() && !owner.get().leaseExpired(clock.instant())) {
            return Optional.of("locked by run " + owner.get().runId() + " (" + owner.get().holder() + ", since " + owner.get().since() + ")");
        }
        var last = runs.list(infra, RUNS_LOOKED_AT).stream().filter(r -> r.action() != RunAction.PLAN).findFirst();
        if (last.isPresent() && last.get().action() == RunAction.DESTROY) {
            return Optional.of("destroyed by run " + last.get().id() + "; a push or /infra apply brings it back");
        }
        return Optional.empty();
    }

    /** Why the head needs an apply of {@code infra} (a catch-up); empty: it is at the head, check for drift. */
    private List<String> catchUpReasons(Repository repo, ObjectId head, String infra, Instant windowStart,
                                        Map<ObjectId, ChangeSet> byBaseline) {
        var desired = revisions.desired(infra);
        if (desired.isPresent() && desired.get().commit().equals(head.name()) && desired.get().trigger().equals(catchUpTrigger(windowStart))) {
            return List.of("caught up in this window already");
        }
        var baseline = lastReconciled(infra);
        if (baseline.isEmpty()) return List.of("no reconciled commit recorded");
        var id = ObjectId.fromString(baseline.get());
        if (id.equals(head)) return List.of();
        try {
            if (!repo.getObjectDatabase().has(id)) {
                return List.of("last reconciled commit " + baseline.get() + " is not on the branch (force push?)");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        var changes = byBaseline.computeIfAbsent(id, b -> detector.between(repo, b, head));
        return changes.changed().stream().filter(c -> c.infrastructure().equals(infra)).findFirst()
                .map(c -> c.reasons().stream().map(r -> r + " since " + baseline.get().substring(0, 12)).toList())
                .orElse(List.of());
    }

    /** The newer of the desired revision (a push, a catch-up) and the newest apply run's commit. */
    private Optional<String> lastReconciled(String infra) {
        var desired = revisions.desired(infra).filter(d -> COMMIT.matcher(d.commit()).matches());
        Optional<Run> applied = runs.list(infra, RUNS_LOOKED_AT).stream()
                .filter(r -> r.action() == RunAction.APPLY && r.revision() != null && COMMIT.matcher(r.revision()).matches())
                .findFirst();
        if (desired.isEmpty()) return applied.map(Run::revision);
        if (applied.isEmpty()) return desired.map(RevisionStore.DesiredRevision::commit);
        var runAt = applied.get().startedAt();
        return Optional.of(runAt != null && runAt.isAfter(desired.get().recordedAt()) ? applied.get().revision() : desired.get().commit());
    }

    private Map<String, Object> launch(String infra, String ref, String commit, Instant windowStart, List<String> reasons) {
        boolean catchUp = !reasons.isEmpty();
        var action = catchUp ? RunAction.APPLY : RunAction.PLAN;
        var trigger = catchUp ? CATCH_UP : DRIFT;
        if (catchUp) {
            revisions.putDesired(new RevisionStore.DesiredRevision(infra, commit, ref, catchUpTrigger(windowStart), clock.instant()));
        }
        var name = ExecutionNames.of(infra, action, commit, trigger + " " + windowStart);
        var launched = launcher.launch(new RunLauncher.RunRequest(name, infra, action, commit, ref, trigger));
        var kind = catchUp ? "catch-up" : "drift";
        LOG.info("schedule: {} {} {} ({})", infra, kind, launched.alreadyStarted() ? "already started" : "started", launched.name());
        var details = new LinkedHashMap<String, String>();
        details.put("kind", kind);
        details.put("execution", launched.name());
        details.put("executionId", launched.executionId());
        details.put("alreadyStarted", String.valueOf(launched.alreadyStarted()));
        if (catchUp) details.put("reasons", String.join("; ", reasons));
        record(infra, "started", ObjectId.fromString(commit), details);
        var entry = new LinkedHashMap<String, Object>();
        entry.put("infrastructure", infra);
        entry.put("kind", kind);
        entry.put("action", action.name());
        entry.put("trigger", trigger);
        entry.put("execution", launched.name());
        entry.put("executionId", launched.executionId());
        entry.put("alreadyStarted", launched.alreadyStarted());
        entry.put("reasons", reasons);
        return entry;
    }

    static String catchUpTrigger(Instant windowStart) {
        return CATCH_UP + " " + windowStart;
    }

    private void record(String infra, String outcome, ObjectId commit, Map<String, String> extra) {
        var details = new LinkedHashMap<String, String>();
        details.put("commit", commit.name());
        details.putAll(extra);
        audit.append(new AuditLog.Entry(clock.instant(), infra, ACTOR, "schedule", outcome, details));
    }
}
