package dev.cairn.cli.serve;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.local.AtomicFiles;
import dev.cairn.statemachine.Executions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The history of every execution {@code cairn serve} ran, one file per execution
 * ({@code STATE_DIR/serve/executions/NAME.json}, written atomically at each event): the execution,
 * the run it made (learned from the lock Prepare takes with the execution's ARN) and its events
 * (type, state, timestamp; for a failure the error name). Event details are not kept: they carry
 * plans and outputs, which stay in the run record and the output store. {@code cairn status --run}
 * reads it back ({@link #find}).
 */
public final class ExecutionJournal implements Executions.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionJournal.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,80}");

    /** One execution's record. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String name, String executionArn, String infrastructure, String runId, String status, Instant started,
                        Instant stopped, String error, String cause, List<Event> events) {
    }

    /** One history event: {@code state} is empty for execution-level events. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(long id, Instant timestamp, String type, String state, String error) {
    }

    private final Path dir;
    private final LockStore locks;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** @param locks where Prepare's lock (holding the run id with the execution's ARN) is found; null to read only */
    public ExecutionJournal(Path stateDir, LockStore locks) {
        this.dir = stateDir.toAbsolutePath().normalize().resolve("serve").resolve("executions");
        this.locks = locks;
    }

    @Override
    public void event(Executions.Execution execution, Executions.HistoryEvent event) {
        try {
            entries.compute(execution.name(), (name, before) -> {
                var events = before == null ? new ArrayList<Event>() : new ArrayList<>(before.events());
                events.add(new Event(event.id(), event.timestamp(), event.type(), event.state(), errorOf(event)));
                var infra = execution.input().path("infrastructure").asText(null);
                var runId = before != null && before.runId() != null ? before.runId() : runIdOf(infra, execution.id());
                var entry = new Entry(execution.name(), execution.id(), infra, runId, execution.status().name(), execution.started(),
                        execution.stopped().orElse(null), execution.error().orElse(null), execution.cause().orElse(null), List.copyOf(events));
                write(entry);
                return entry;
            });
        } catch (RuntimeException e) {
            LOG.warn("cannot record the history of execution {}: {}", execution.name(), e.getMessage());
        }
    }

    /** The run an execution made, once known. */
    Optional<String> runIdOf(String executionName) {
        return Optional.ofNullable(entries.get(executionName)).map(Entry::runId);
    }

    /** The execution that made run {@code runId} (or the execution of that name). */
    public Optional<Entry> find(String runId) {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (var files = Files.list(dir)) {
            for (var file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                var entry = Json.MAPPER.readValue(file.toFile(), Entry.class);
                if (runId.equals(entry.runId()) || runId.equals(entry.name())) return Optional.of(entry);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the execution histories under " + dir, e);
        }
        return Optional.empty();
    }

    private String runIdOf(String infrastructure, String executionArn) {
        if (locks == null || infrastructure == null) return null;
        try {
            return locks.owner(infrastructure).filter(o -> executionArn.equals(o.executionArn())).map(LockStore.LockOwner::runId).orElse(null);
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static String errorOf(Executions.HistoryEvent event) {
        if (!event.type().endsWith("Failed") && !event.type().endsWith("Aborted") && !event.type().endsWith("TimedOut")) return null;
        return event.detail().map(d -> d.path("error").asText(d.path("Error").asText(null))).orElse(null);
    }

    private void write(Entry entry) {
        if (!NAME.matcher(entry.name()).matches()) throw new IllegalArgumentException("not an execution name: " + entry.name());
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(entry.name() + ".json"), Json.MAPPER.writeValueAsBytes(entry));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
