package dev.cairn.functions.schedule;

import dev.cairn.functions.TestRepo;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.RevisionStore;
import dev.cairn.reconciler.store.RunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduled reconcile against a real {@code file://} repository made with JGit, through the
 * handler's public constructor: once per wiring (local stores and queue, AWS on moto), by the
 * subclasses. dev and prod; the tick is at 01:00:00Z of a 1-hour window.
 */
abstract class ScheduleScenarios {
    static final Instant TICK = Instant.parse("2026-12-02T01:00:00Z");
    @TempDir
    Path tmp;
    TestRepo repo;
    String base;
    Map<String, String> env;
    ScheduleFunction function;

    /** A run the launcher started (or recorded): its name and the facts it was started with. */
    record Launched(String name, String infrastructure, String action, String commit, String trigger) {
    }

    abstract Map<String, String> wiring(Path tmp) throws Exception;

    /** Every run the launcher started (or recorded), whatever its name. */
    abstract List<Launched> launched() throws Exception;

    abstract RevisionStore revisions();

    abstract RunStore runs();

    abstract LockStore locks();

    abstract AuditLog audit();

    @BeforeEach
    void setUp() throws Exception {
        repo = TestRepo.twoInfrastructures(tmp.resolve("repo"));
        base = repo.head();
        env = new HashMap<>(wiring(tmp));
        env.put("CAIRN_REPO_URL", repo.url());
        env.put("CAIRN_GIT_CACHE_DIR", tmp.resolve("git-cache").toString());
        env.put("CAIRN_SCHEDULE_RATE", "rate(1 hour)");
        function = new ScheduleFunction(env);
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    Map<String, Object> tick(Instant at) {
        return function.handleRequest(Map.of("version", "0", "detail-type", "Scheduled Event", "source", "aws.events",
                "time", at.toString(), "detail", Map.of()), null);
    }

    void seen(String infra, String commit, String trigger) {
        revisions().putDesired(new RevisionStore.DesiredRevision(infra, commit, "refs/heads/main", trigger, Instant.now()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> started(Map<String, Object> body) {
        var out = new LinkedHashMap<String, Map<String, Object>>();
        ((List<Map<String, Object>>) body.get("started")).forEach(s -> out.put((String) s.get("infrastructure"), s));
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> skipped(Map<String, Object> body) {
        return (List<Map<String, Object>>) body.get("skipped");
    }

    @Test
    void aPushTheWebhookSawLeavesOnlyDriftChecks() throws Exception {
        var head = repo.write("infrastructures/dev.yaml", TestRepo.manifest("dev", "10.9.0.0/16")).commitAndPush("main", "dev cidr");
        seen("dev", head, "github:push d-1");
        seen("prod", base, "github:push d-0");

        var body = tick(TICK);

        assertThat(body).containsEntry("branch", "main").containsEntry("commit", head).containsEntry("window", "2026-12-02T01:00:00Z");
        var started = started(body);
        assertThat(started).containsOnlyKeys("dev", "prod");
        assertThat(started.values()).allSatisfy(s -> {
            assertThat(s).containsEntry("kind", "drift").containsEntry("action", "PLAN").containsEntry("trigger", "schedule:drift")
                    .containsEntry("alreadyStarted", false);
        });
        assertThat(launched()).extracting(Launched::infrastructure, Launched::action, Launched::commit, Launched::trigger)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("dev", "PLAN", head, "schedule:drift"),
                        org.assertj.core.groups.Tuple.tuple("prod", "PLAN", head, "schedule:drift"));
        assertThat(revisions().desired("dev").orElseThrow().trigger()).isEqualTo("github:push d-1");
    }

    @Test
    void aMissedWebhookIsCaughtUpWithAnApplyOfOnlyWhatChanged() throws Exception {
        seen("dev", base, "github:push d-0");
        seen("prod", base, "github:push d-0");
        var head = repo.write("infrastructures/prod.yaml", TestRepo.manifest("prod", "10.8.0.0/16")).commitAndPush("main", "prod cidr");

        var body = tick(TICK);

        var started = started(body);
        assertThat(started.get("prod")).containsEntry("kind", "catch-up").containsEntry("action", "APPLY")
                .containsEntry("trigger", "schedule:catch-up");
        assertThat(started.get("prod").get("reasons")).isEqualTo(List.of("manifest changed since " + base.substring(0, 12)));
        assertThat(started.get("dev")).containsEntry("kind", "drift").containsEntry("action", "PLAN");
        assertThat(launched()).extracting(Launched::infrastructure, Launched::action, Launched::trigger)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("prod", "APPLY", "schedule:catch-up"),
                        org.assertj.core.groups.Tuple.tuple("dev", "PLAN", "schedule:drift"));
        // the catch-up is the desired revision now; the webhook's for dev is untouched
        assertThat(revisions().desired("prod").orElseThrow()).satisfies(d -> {
            assertThat(d.commit()).isEqualTo(head);
            assertThat(d.trigger()).isEqualTo("schedule:catch-up 2026-12-02T01:00:00Z");
        });
        assertThat(revisions().desired("dev").orElseThrow().commit()).isEqualTo(base);
        assertThat(audit().list("prod", 10)).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo("schedule");
            assertThat(e.outcome()).isEqualTo("started");
            assertThat(e.details()).containsEntry("kind", "catch-up").containsEntry("commit", head);
        });
    }

    @Test
    void nothingEverReconciledIsCaughtUp() throws Exception {
        var started = started(tick(TICK));

        assertThat(started.values()).allSatisfy(s -> assertThat(s).containsEntry("kind", "catch-up")
                .containsEntry("reasons", List.of("no reconciled commit recorded")));
        assertThat(launched()).hasSize(2).allSatisfy(l -> assertThat(l.action()).isEqualTo("APPLY"));
    }

    @Test
    void aRetriedTickStartsNothingNewAndTheNextWindowChecksForDrift() throws Exception {
        seen("dev", base, "github:push d-0");
        seen("prod", base, "github:push d-0");
        repo.write("infrastructures/prod.yaml", TestRepo.manifest("prod", "10.8.0.0/16")).commitAndPush("main", "prod cidr");
        var first = started(tick(TICK));

        // the same event again (a Lambda retry), a few minutes later: the same runs, nothing new
        var retry = started(tick(TICK));

        assertThat(launched()).hasSize(2);
        assertThat(retry.get("prod")).containsEntry("kind", "catch-up").containsEntry("alreadyStarted", true)
                .containsEntry("execution", first.get("prod").get("execution"));
        assertThat(retry.get("dev")).containsEntry("kind", "drift").containsEntry("alreadyStarted", true)
                .containsEntry("execution", first.get("dev").get("execution"));

        // an hour later, prod has been caught up: both are drift checks, under new names
        var next = started(tick(TICK.plus(Duration.ofHours(1)).plusSeconds(4)));
        assertThat(next.values()).allSatisfy(s -> assertThat(s).containsEntry("kind", "drift").containsEntry("alreadyStarted", false));
        assertThat(next.get("prod").get("execution")).isNotEqualTo(first.get("prod").get("execution"));
        assertThat(launched()).hasSize(4);
    }

    @Test
    void aLockedInfrastructureIsSkippedAndAnExpiredLeaseIsNot() throws Exception {
        seen("dev", base, "github:push d-0");
        seen("prod", base, "github:push d-0");
        var now = Instant.now();
        locks().acquire("dev", new LockStore.LockOwner("run-held", "arn:aws:lambda:reconcile", 0, now, now.plus(Duration.ofHours(2)),
                "arn:aws:states:us-east-1:123456789012:execution:m:held"));
        locks().acquire("prod", new LockStore.LockOwner("run-gone", "arn:aws:lambda:reconcile", 0, now.minus(Duration.ofDays(2)),
                now.minus(Duration.ofHours(1)), "arn:aws:states:us-east-1:123456789012:execution:m:gone"));

        var body = tick(TICK);

        assertThat(skipped(body)).singleElement().satisfies(s -> {
            assertThat(s).containsEntry("infrastructure", "dev");
            assertThat((String) s.get("reason")).startsWith("locked by run run-held");
        });
        assertThat(started(body)).containsOnlyKeys("prod");
        assertThat(launched()).extracting(Launched::infrastructure).containsExactly("prod");
        assertThat(audit().list("dev", 10)).anySatisfy(e -> assertThat(e.outcome()).isEqualTo("skipped"));
    }

    @Test
    void theNewestApplyRunCountsWhenItIsNewerThanTheDesiredRevision() throws Exception {
        // the webhook saw base for both; then someone applied prod at the new head from chat
        seen("dev", base, "github:push d-0");
        seen("prod", base, "github:push d-0");
        var head = repo.write("infrastructures/prod.yaml", TestRepo.manifest("prod", "10.8.0.0/16")).commitAndPush("main", "prod cidr");
        runs().put(run("prod", "20261202T004500Z-aaaa", RunAction.APPLY, head, Instant.now().plusSeconds(1)));
        // and dev was destroyed on purpose: the schedule leaves it alone
        runs().put(run("dev", "20261202T004600Z-bbbb", RunAction.DESTROY, head, Instant.now().plusSeconds(2)));

        var body = tick(TICK);

        assertThat(started(body)).containsOnlyKeys("prod");
        assertThat(started(body).get("prod")).containsEntry("kind", "drift");
        assertThat(skipped(body)).singleElement().satisfies(s -> assertThat((String) s.get("reason")).startsWith("destroyed by run"));
    }

    static Run run(String infra, String id, RunAction action, String commit, Instant startedAt) {
        return new Run(id, infra, action, RunStatus.SUCCEEDED, "slack:U1", commit, startedAt, startedAt.plusSeconds(60),
                List.of(List.of("network")), Map.of(), null, 0);
    }
}
