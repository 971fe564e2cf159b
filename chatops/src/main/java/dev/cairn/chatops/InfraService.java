package dev.cairn.chatops;

import dev.cairn.notify.slack.BlockKit;
import dev.cairn.chatops.InfraCommand.Verb;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.approval.RunResumer;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.DeliveryStore;
import dev.cairn.reconciler.store.LockStore;
import dev.cairn.reconciler.store.OutputStore;
import dev.cairn.reconciler.store.RunStore;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What {@code /infra} and the approval buttons do, independent of Bolt: parse, authorize against
 * the infrastructure's policy, act (start the run through the launcher BEFORE the ack is returned:
 * nothing runs after a Lambda handler returns), audit every decision, and answer with a Block Kit
 * message. A run's name derives from Slack's signed {@code trigger_id}, and the trigger id is
 * recorded in the delivery store, so Slack's retries ({@code X-Slack-Retry-Num}) start nothing new.
 */
public final class InfraService {
    static final Duration DELIVERY_TTL = Duration.ofDays(1);

    /** The stores the service reads and writes. */
    public record Stores(RunStore runs, OutputStore outputs, LockStore locks, AuditLog audit, DeliveryStore deliveries,
                         ApprovalStore approvals, RunLauncher launcher, RunResumer resumer) {
    }

    /** A slash command as Slack signed it. */
    public record SlashCommand(String user, String channel, String triggerId, String text) {
    }

    private final Catalog catalog;
    private final Stores stores;
    private final Function<String, Set<String>> groupsOf;
    private final Clock clock;
    private final PullRequestPreviews previews;

    public InfraService(Catalog catalog, Stores stores, Function<String, Set<String>> groupsOf, Clock clock) {
        this(catalog, stores, groupsOf, clock, null);
    }

    /**
     * @param groupsOf the user groups ({@code S...}) a user belongs to; asked only when a policy names groups
     * @param previews {@code /infra plan INFRA --pr N}, or null where pull request previews are not wired
     */
    public InfraService(Catalog catalog, Stores stores, Function<String, Set<String>> groupsOf, Clock clock, PullRequestPreviews previews) {
        this.catalog = catalog;
        this.stores = stores;
        this.groupsOf = groupsOf;
        this.clock = clock;
        this.previews = previews;
    }

    /** @param groupsOf the user groups ({@code S...}) a user belongs to; asked only when a policy names groups */
    public Map<String, Object> command(SlashCommand slash) {
        var view = catalog.view();
        InfraCommand command;
        try {
            command = InfraCommand.parse(slash.text(), view.infrastructures().keySet());
        } catch (InfraCommand.UsageException e) {
            audit("-", slash.user(), "command", "refused", Map.of("reason", e.getMessage()));
            return ephemeral("usage: " + e.getMessage(), usage(e.getMessage()));
        }
        if (command.verb() == Verb.HELP) return ephemeral("/infra help", usage(null));
        var entry = view.infrastructures().get(command.infrastructure());
        if (command.verb() == Verb.STATUS && entry == null) return status(view);
        if (command.verb() == Verb.CANCEL) return cancel(slash, entry, command.run());
        var policy = new Policy(entry.policy());
        var decision = policy.decide(command.verb(), slash.user(), Set.of());
        if (!decision.allowed() && policy.namesGroups()) decision = policy.decide(command.verb(), slash.user(), groupsOf.apply(slash.user()));
        var verb = command.verb().name().toLowerCase();
        if (!decision.allowed()) {
            audit(entry.name(), slash.user(), verb, "refused", Map.of("reason", decision.reason()));
            return ephemeral("refused: " + decision.reason(), List.of(BlockKit.section(":no_entry: `/infra " + verb + " " + entry.name()
                    + "` refused: " + decision.reason())));
        }
        return switch (command.verb()) {
            case PLAN, APPLY, DESTROY -> command.pullRequest() != null ? preview(slash, entry.name(), command.pullRequest()) : launch(slash, command, view);
            case STATUS -> statusOf(entry.name());
            case HISTORY -> history(entry.name());
            case OUTPUTS -> outputs(entry.name(), command.stage());
            case UNLOCK -> unlock(slash, entry.name());
            case APPROVE, REJECT -> decide(slash.user(), entry.name(), command.run(), command.stage(),
                    command.verb() == Verb.APPROVE, command.reason());
            case CANCEL -> cancel(slash, entry, command.run());
            case HELP -> ephemeral("/infra help", usage(null));
        };
    }

    private Map<String, Object> launch(SlashCommand slash, InfraCommand command, Catalog.View view) {
        var infra = command.infrastructure();
        var action = RunAction.valueOf(command.verb().name());
        var stages = command.stage() == null ? List.<String>of() : List.of(command.stage());
        var name = ExecutionNames.of(infra, action, view.commit(), "slack:" + slash.triggerId(), stages);
        var verb = command.verb().name().toLowerCase();
        if (!stores.deliveries().firstSeen("slack", slash.triggerId(), clock.instant().plus(DELIVERY_TTL))) {
            audit(infra, slash.user(), verb, "duplicate", Map.of("execution", name));
            return inChannel(verb + " " + infra, BlockKit.runStarted(infra, verb, name, slash.user(), view.commit(), stages));
        }
        try {
            var launched = stores.launcher().launch(new RunLauncher.RunRequest(name, infra, action, view.commit(), view.ref(),
                    "slack:" + slash.user(), stages));
            var details = new LinkedHashMap<String, String>();
            details.put("execution", launched.name());
            details.put("commit", view.commit());
            details.put("alreadyStarted", String.valueOf(launched.alreadyStarted()));
            if (command.stage() != null) details.put("stage", command.stage());
            audit(infra, slash.user(), verb, "started", details);
            return inChannel(verb + " " + infra + " started", BlockKit.runStarted(infra, verb, launched.name(), slash.user(), view.commit(), stages));
        } catch (RuntimeException e) {
            stores.deliveries().forget("slack", slash.triggerId());
            throw e;
        }
    }

    /**
     * {@code /infra plan INFRA --pr N}: allowed as a plan of INFRA is (the policy was asked above);
     * the preview is started before the ack, as every run is. A retry of the same command maps to
     * the run already started (its name is the webhook's: infrastructure, PR and head).
     */
    private Map<String, Object> preview(SlashCommand slash, String infra, long number) {
        if (previews == null) {
            audit(infra, slash.user(), "plan", "refused", Map.of("pullRequest", String.valueOf(number), "reason", "previews not wired"));
            return ephemeral("no previews here", List.of(BlockKit.section(":warning: pull request previews are not set up for this Slack app")));
        }
        var outcome = previews.start(infra, number, slash.user());
        audit(infra, slash.user(), "plan", outcome.started() ? "started" : "refused", outcome.details());
        if (!outcome.started()) {
            return ephemeral("no preview: " + outcome.message(), List.of(BlockKit.section(":information_source: `/infra plan " + infra + " --pr " + number
                    + "`: " + outcome.message())));
        }
        return inChannel("preview of " + infra + " started", List.of(BlockKit.section(":mag: " + outcome.message() + " (asked by <@" + slash.user() + ">)")));
    }

    /**
     * {@code /infra cancel INFRA/RUN}: RUN is the run id its thread shows, or the execution name
     * the start message shows. The run's requester may cancel it, and so may anyone the policy lets
     * apply the infrastructure; the launcher stops it ({@code StopExecution}; the execution's
     * status rule then runs Finish, which records the run and releases the lock).
     */
    private Map<String, Object> cancel(SlashCommand slash, Catalog.Entry entry, String ref) {
        var infra = entry.name();
        var owner = stores.locks().owner(infra).filter(o -> o.executionArn() != null && !o.executionArn().isBlank());
        String name = ref;
        String runId = ref;
        if (owner.isPresent() && ref.equals(owner.get().runId())) {
            name = executionName(owner.get().executionArn());
        } else if (owner.isPresent() && ref.equals(executionName(owner.get().executionArn()))) {
            runId = owner.get().runId();
        }
        if (!EXECUTION_NAME.matcher(name).matches()) {
            audit(infra, slash.user(), "cancel", "refused", Map.of("run", ref, "reason", "not a run name"));
            return ephemeral("not a run", List.of(BlockKit.section("`" + infra + "/" + ref + "` is not a run: write INFRA/RUN_ID as the run's thread shows it")));
        }
        var requester = stores.runs().get(infra, runId).map(dev.cairn.reconciler.run.Run::trigger).orElse(null);
        var policy = new Policy(entry.policy());
        var decision = policy.decideCancel(slash.user(), Set.of(), requester);
        if (!decision.allowed() && policy.namesGroups()) decision = policy.decideCancel(slash.user(), groupsOf.apply(slash.user()), requester);
        var details = new LinkedHashMap<String, String>();
        details.put("run", ref);
        details.put("execution", name);
        if (!decision.allowed()) {
            details.put("reason", decision.reason());
            audit(infra, slash.user(), "cancel", "refused", details);
            return ephemeral("refused: " + decision.reason(), List.of(BlockKit.section(":no_entry: `/infra cancel " + infra + "/" + ref
                    + "` refused: " + decision.reason())));
        }
        var cancelled = stores.launcher().cancel(name, "cancelled by slack:" + slash.user() + " (/infra cancel)");
        details.put("reason", decision.reason());
        audit(infra, slash.user(), "cancel", cancelled ? "cancelled" : "not running", details);
        if (!cancelled) {
            return ephemeral("not running", List.of(BlockKit.section("run `" + infra + "/" + ref + "` is not running (it ended, or there is no such run): nothing to cancel")));
        }
        return inChannel("cancelled", List.of(BlockKit.section(":octagonal_sign: run `" + infra + "/" + ref + "` cancelled by <@" + slash.user()
                + ">: it stops now; the run is recorded as failed and the lock released")));
    }

    private static final java.util.regex.Pattern EXECUTION_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1," + ExecutionNames.MAX_LENGTH + "}");

    /** {@code arn:aws:states:R:A:execution:MACHINE:NAME} → NAME (a local launcher's id is its name already). */
    private static String executionName(String executionArn) {
        return executionArn.substring(executionArn.lastIndexOf(':') + 1);
    }

    /** A click on Approve or Reject: {@code value} is {@code INFRA/RUN/STAGE}. */
    public Map<String, Object> button(String user, String value, boolean approve) {
        var parts = value == null ? new String[0] : value.split("/", 3);
        if (parts.length != 3) return ephemeral("not an approval", List.of(BlockKit.section("this button does not name an approval")));
        var entry = catalog.view().infrastructures().get(parts[0]);
        if (entry == null) return ephemeral("unknown infrastructure", List.of(BlockKit.section("no infrastructure `" + parts[0] + "`")));
        return decide(user, parts[0], parts[1], parts[2], approve, null);
    }

    private Map<String, Object> decide(String user, String infra, String runId, String stage, boolean approve, String reason) {
        var verb = approve ? "approve" : "reject";
        var policy = new Policy(catalog.view().infrastructures().get(infra).policy());
        var waiting = stage == null
                ? stores.approvals().pending(infra).stream().filter(a -> a.runId().equals(runId)).findFirst()
                : stores.approvals().get(infra, runId, stage);
        if (waiting.isEmpty()) {
            audit(infra, user, verb, "refused", Map.of("run", runId, "reason", "no such approval"));
            return ephemeral("no approval", List.of(BlockKit.section("run `" + infra + "/" + runId + "` has no approval waiting")));
        }
        var approval = waiting.get();
        var allowed = policy.decideApproval(user, Set.of(), approval.requestedBy());
        if (!allowed.allowed() && policy.namesGroups() && !allowed.reason().startsWith("four eyes")) {
            allowed = policy.decideApproval(user, groupsOf.apply(user), approval.requestedBy());
        }
        if (!allowed.allowed()) {
            audit(infra, user, verb, "refused", Map.of("run", runId, "stage", approval.stage(), "reason", allowed.reason()));
            return ephemeral("refused", List.of(BlockKit.section(":no_entry: " + allowed.reason())));
        }
        var decided = stores.approvals().decide(infra, runId, approval.stage(),
                approve ? ApprovalStore.State.APPROVED : ApprovalStore.State.REJECTED, "slack:" + user, reason, clock.instant());
        if (decided.isEmpty()) {
            audit(infra, user, verb, "refused", Map.of("run", runId, "stage", approval.stage(), "reason", "already decided or expired"));
            var now = stores.approvals().get(infra, runId, approval.stage()).orElse(approval);
            return ephemeral("already decided", List.of(BlockKit.section("already " + now.state().name().toLowerCase()
                    + (now.decidedBy() == null ? "" : " by " + now.decidedBy()))));
        }
        if (approve) stores.resumer().approved(decided.get());
        else stores.resumer().rejected(decided.get());
        audit(infra, user, verb, approve ? "approved" : "rejected", Map.of("run", runId, "stage", approval.stage()));
        return inChannel(verb + "d", BlockKit.decided(decided.get()));
    }

    private Map<String, Object> status(Catalog.View view) {
        var blocks = new ArrayList<Map<String, Object>>();
        for (var name : view.infrastructures().keySet()) blocks.addAll(statusBlocks(name));
        return ephemeral("status", blocks);
    }

    private Map<String, Object> statusOf(String infra) {
        return ephemeral("status of " + infra, statusBlocks(infra));
    }

    private List<Map<String, Object>> statusBlocks(String infra) {
        var recent = stores.runs().list(infra, Previews.RECENT_RUNS);
        var last = Previews.lastRun(recent);
        var preview = Previews.newerPreview(recent);
        var lock = stores.locks().owner(infra);
        var line = "*" + infra + "*: " + last.map(r -> r.action().name().toLowerCase() + " " + r.status().name().toLowerCase() + " (`" + r.id() + "`)")
                .orElse("no runs yet")
                + lock.map(o -> " · :lock: locked by run `" + o.runId() + "`").orElse("")
                + preview.map(p -> " · latest preview: " + BlockKit.clip(Previews.pullRequest(p.trigger())) + " " + p.status().name().toLowerCase()
                        + " (`" + p.id() + "`, nothing applied)").orElse("");
        return List.of(BlockKit.section(line));
    }

    private Map<String, Object> history(String infra) {
        var blocks = new ArrayList<Map<String, Object>>();
        for (var run : stores.runs().list(infra, 10)) {
            blocks.add(BlockKit.section("`" + run.id() + "` " + run.action().name().toLowerCase() + " " + run.status().name().toLowerCase()
                    + " · " + run.trigger()));
        }
        if (blocks.isEmpty()) blocks.add(BlockKit.section("*" + infra + "*: no runs yet"));
        return ephemeral("history of " + infra, blocks);
    }

    private Map<String, Object> outputs(String infra, String stage) {
        var all = new LinkedHashMap<>(stores.outputs().all(infra));
        if (stage != null) all.keySet().retainAll(Set.of(stage));
        var blocks = new ArrayList<Map<String, Object>>();
        all.values().forEach(s -> {
            var text = new StringBuilder("`" + s.stage() + "`");
            s.values().forEach((k, v) -> text.append("\n• ").append(k).append(" = ").append(v.sensitive() ? "(sensitive)" : "`" + v.value() + "`"));
            blocks.add(BlockKit.section(text.toString()));
        });
        if (blocks.isEmpty()) blocks.add(BlockKit.section("*" + infra + "*: no outputs yet"));
        return ephemeral("outputs of " + infra, blocks);
    }

    private Map<String, Object> unlock(SlashCommand slash, String infra) {
        var owner = stores.locks().owner(infra);
        stores.locks().forceRelease(infra);
        audit(infra, slash.user(), "unlock", "released", Map.of("run", owner.map(LockStore.LockOwner::runId).orElse("-")));
        return inChannel("unlocked " + infra, List.of(BlockKit.section(":unlock: *" + infra + "* unlocked by <@" + slash.user() + ">"
                + owner.map(o -> " (was held by run `" + o.runId() + "`)").orElse(" (it was not locked)"))));
    }

    static List<Map<String, Object>> usage(String problem) {
        return List.of(BlockKit.section(problem == null ? "*/infra*" : ":warning: " + problem), BlockKit.section(InfraCommand.USAGE));
    }

    private void audit(String infra, String user, String action, String outcome, Map<String, String> details) {
        stores.audit().append(new AuditLog.Entry(clock.instant(), infra, "slack:" + user, action, outcome, Map.copyOf(details)));
    }

    private static Map<String, Object> ephemeral(String text, List<Map<String, Object>> blocks) {
        var m = BlockKit.message(text, blocks);
        m.put("response_type", "ephemeral");
        return m;
    }

    private static Map<String, Object> inChannel(String text, List<Map<String, Object>> blocks) {
        var m = BlockKit.message(text, blocks);
        m.put("response_type", "in_channel");
        return m;
    }
}
