package dev.cairn.chatops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.launch.QueuedRunLauncher;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.LockStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /infra cancel} and {@code --stage} through {@link InfraService} on the local stores and
 * the local run launcher (which records runs under {@code queue/} and marks a cancelled one).
 */
class InfraCancelTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path state;
    InfraService service;
    InfraService.Stores stores;

    @BeforeEach
    void setUp() throws Exception {
        var repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("infrastructures"));
        Files.writeString(repo.resolve("cairn.yaml"), "apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\n");
        Files.writeString(repo.resolve("infrastructures/prod.yaml"), """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata: { name: prod }
                spec:
                  policy: { apply: approval, approvers: [U0APPROVER], operators: [U0OPERATOR] }
                """);
        state = tmp.resolve("state");
        stores = ChatopsWiring.local(Map.of("CAIRN_STATE_DIR", state.toString()), new QueuedRunLauncher(state.resolve("queue")));
        service = new InfraService(new Catalog(repo, Duration.ofSeconds(30), Clock.systemUTC()), stores, user -> Set.of(), Clock.systemUTC());
    }

    Map<String, Object> slash(String user, String trigger, String text) {
        return service.command(new InfraService.SlashCommand(user, "C0INFRA", trigger, text));
    }

    static String text(Map<String, Object> reply) {
        try {
            return JSON.writeValueAsString(reply);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> queued(String name) throws Exception {
        return JSON.readValue(state.resolve("queue").resolve(name + ".json").toFile(), Map.class);
    }

    String onlyQueuedName() throws Exception {
        try (var files = Files.list(state.resolve("queue"))) {
            var names = files.map(p -> p.getFileName().toString().replace(".json", "")).toList();
            assertThat(names).hasSize(1);
            return names.get(0);
        }
    }

    List<AuditLog.Entry> audit(String action) {
        return stores.audit().list("prod", 50).stream().filter(e -> e.action().equals(action)).toList();
    }

    @Test
    void aStageGoesIntoTheRunRequestAndItsName() throws Exception {
        var reply = slash("U0OPERATOR", "T-1", "plan prod --stage network");
        assertThat(reply).containsEntry("response_type", "in_channel");
        assertThat(text(reply)).contains("only `network`");
        var name = onlyQueuedName();
        assertThat(queued(name)).containsEntry("stages", "network").containsEntry("action", "PLAN");
        var commit = (String) queued(name).get("commit");
        assertThat(name).isEqualTo(ExecutionNames.of("prod", RunAction.PLAN, commit, "slack:T-1", List.of("network")))
                .isNotEqualTo(ExecutionNames.of("prod", RunAction.PLAN, commit, "slack:T-1"));
        assertThat(audit("plan")).singleElement().satisfies(e -> assertThat(e.details()).containsEntry("stage", "network"));
    }

    @Test
    void anOperatorCancelsARunAStrangerCannotAndANotRunningRunIsSaidSo() throws Exception {
        slash("U0OPERATOR", "T-2", "apply prod");
        var name = onlyQueuedName();

        var refused = slash("U0STRANGER", "T-3", "cancel prod/" + name);
        assertThat(refused).containsEntry("response_type", "ephemeral");
        assertThat(text(refused)).contains("refused").contains("neither requested this run nor may apply");
        assertThat(queued(name)).containsEntry("status", "recorded");

        var cancelled = slash("U0APPROVER", "T-4", "cancel prod/" + name);
        assertThat(cancelled).containsEntry("response_type", "in_channel");
        assertThat(text(cancelled)).contains("cancelled by <@U0APPROVER>");
        assertThat(queued(name)).containsEntry("status", "cancelled");
        assertThat((String) queued(name).get("note")).contains("slack:U0APPROVER");

        var again = slash("U0OPERATOR", "T-5", "cancel prod/" + name);
        assertThat(again).containsEntry("response_type", "ephemeral");
        assertThat(text(again)).contains("is not running");

        assertThat(audit("cancel").stream().map(AuditLog.Entry::outcome)).containsExactlyInAnyOrder("refused", "cancelled", "not running");
        assertThat(audit("cancel")).allSatisfy(e -> assertThat(e.details()).containsEntry("execution", name));
    }

    @Test
    void theRequesterCancelsTheirOwnRunByTheRunIdItsThreadShows() throws Exception {
        // a run in flight: its lock names its execution, its record its requester (who is no operator)
        slash("U0OPERATOR", "T-6", "apply prod");
        var name = onlyQueuedName();
        var runId = "20261202T010000Z-abc123";
        var now = Instant.now();
        stores.locks().acquire("prod", new LockStore.LockOwner(runId, "step-functions", 0, now, now.plusSeconds(3600),
                "arn:aws:states:us-east-1:123456789012:execution:cairn-reconcile:" + name));
        stores.runs().put(new Run(runId, "prod", RunAction.APPLY, RunStatus.RUNNING, "slack:U0REQUESTER", "abc", now, null, List.of(),
                new LinkedHashMap<>(), null, 0));

        assertThat(text(slash("U0SOMEONE", "T-7", "cancel prod/" + runId))).contains("refused");
        var cancelled = slash("U0REQUESTER", "T-8", "cancel prod/" + runId);
        assertThat(text(cancelled)).contains("cancelled by <@U0REQUESTER>");
        assertThat(queued(name)).containsEntry("status", "cancelled");
        assertThat(audit("cancel")).filteredOn(e -> e.outcome().equals("cancelled")).singleElement()
                .satisfies(e -> assertThat(e.details()).containsEntry("reason", "requested this run").containsEntry("run", runId));
    }

    @Test
    void aMalformedRunIsAUsageAnswerAndNothingIsCancelled() {
        var reply = slash("U0OPERATOR", "T-9", "cancel prod/not*a*run");
        assertThat(text(reply)).contains("is not a run");
        assertThat(audit("cancel")).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo("refused"));
    }
}
