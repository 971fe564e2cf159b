package dev.cairn.reconciler.store.contract;

import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.AuditLog.Entry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link AuditLog} guarantees: entries round-trip, are listed newest first with a limit,
 * per infrastructure; appends never overwrite one another, even at the same instant.
 */
public abstract class AuditLogContract {

    /** A log on the same backing state as every other log made during one test. */
    protected abstract AuditLog newLog();

    private AuditLog log;
    private String infra;

    @BeforeEach
    void setUpLog() {
        log = newLog();
        infra = Contracts.unique("infra");
    }

    Entry entry(String infrastructure, Instant at, String outcome) {
        return new Entry(at, infrastructure, "github:octocat", "push", outcome, Map.of("commit", "0123abc", "delivery", "d-1"));
    }

    @Test
    void entriesAreListedNewestFirstWithALimit() {
        var base = Instant.parse("2026-12-01T10:00:00Z");
        var written = new ArrayList<Entry>();
        for (int i = 0; i < 5; i++) {
            // whole seconds, milliseconds and nanoseconds: the order must not depend on the text form
            var at = base.plusSeconds(i * 9L).plusNanos(i % 2 == 0 ? 0 : 123_456_789L * i % 1_000_000_000L);
            var e = entry(infra, at, "started-" + i);
            log.append(e);
            written.add(e);
        }
        log.append(entry(Contracts.unique("other"), base.plusSeconds(3600), "elsewhere"));

        assertThat(log.list(infra, 3)).containsExactly(written.get(4), written.get(3), written.get(2));
        assertThat(newLog().list(infra, 100)).containsExactlyElementsOf(written.reversed());
        assertThat(log.list(Contracts.unique("nothing"), 10)).isEmpty();
    }

    @Test
    void repoWideEntriesAndEmptyDetailsRoundTrip() {
        var e = new Entry(Instant.parse("2026-12-01T10:00:00.5Z"), "-", "slack:U123", "apply", "refused", Map.of());
        log.append(e);
        assertThat(log.list("-", 1000)).contains(e);
    }

    @Test
    void appendsAtTheSameInstantAreAllKept() throws Exception {
        var at = Instant.parse("2026-12-01T10:00:00Z");
        int writers = 8;
        var tasks = new ArrayList<Callable<Entry>>();
        for (int i = 0; i < writers; i++) {
            var e = entry(infra, at, "duplicate-" + i);
            var mine = newLog();
            tasks.add(() -> {
                mine.append(e);
                return e;
            });
        }
        try (var pool = Executors.newFixedThreadPool(writers)) {
            var outcomes = Contracts.race(pool, tasks);
            assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
            List<Entry> all = log.list(infra, 100);
            assertThat(all).containsExactlyInAnyOrderElementsOf(outcomes.stream().map(Contracts.Outcome::value).toList());
        }
    }
}
