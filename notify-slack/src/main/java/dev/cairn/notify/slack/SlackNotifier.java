package dev.cairn.notify.slack;

import com.google.gson.Gson;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiTextResponse;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.manifest.Spec;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.preview.Previews;
import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.store.StageOutputs;
import dev.cairn.reconciler.store.ThreadStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Run threads in Slack. {@code runStarted} posts the run's head message in the infrastructure's
 * channel ({@code spec.notifications.slack.channel}) and records the thread in the
 * {@link ThreadStore}; stage changes edit that message in place ({@code chat.update}); approvals,
 * the result and drift are replies in the thread. The thread store is what makes one thread of a
 * run whose steps run in different processes (the state machine's Lambda invocations), and what
 * rations the edits: at most one {@code chat.update} per head message per {@code minInterval}
 * (Slack's Web API limits), never back to an older state of the run. A stage still running that
 * falls inside the interval is coalesced (the next edit shows it); a finished stage and the run's
 * end wait for their turn (at most a few intervals). A PR/MR plan preview gets no thread: when the
 * manifest asks ({@code notifications.slack.previews}), its end is one message in the channel with
 * its per-stage plan ({@link PreviewMessage}), linking the PR and the run when {@link Links} knows
 * their pages.
 *
 * <p>No channel, or an event the manifest's {@code events} leave out: no Slack call. Never throws
 * into the run: a failed call is logged (method and Slack's error code, never the token) and the
 * run goes on. Sensitive output values are masked, and also redacted from every text sent (each text
 * before it is serialized, then the JSON).
 */
public final class SlackNotifier implements RunNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(SlackNotifier.class);
    private static final Gson JSON = new Gson();
    /** Slack allows about one message edit per second and channel; the default interval between edits of one message. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    /** How long a run's thread is remembered (DynamoDB TTL). */
    static final Duration THREAD_TTL = Duration.ofDays(30);
    /** Attempts of a must-show edit that finds the interval not yet over. */
    private static final int TURNS = 6;

    /**
     * Where an infrastructure's run messages go.
     *
     * @param events what the manifest asks for ({@code plan}, {@code apply}, {@code failure},
     *               {@code approval}, {@code drift}); empty: everything
     */
    public record Target(String channel, Set<String> events, boolean previews) {
        public Target {
            events = events == null ? Set.of() : Set.copyOf(events);
        }

        public Target(String channel, Set<String> events) {
            this(channel, events, false);
        }

        public boolean wants(String event) {
            return events.isEmpty() || events.contains(event);
        }

        /** From {@code spec.notifications}; null when it names no Slack channel. */
        public static Target of(Spec.NotificationsSpec notifications) {
            if (notifications == null || notifications.slack() == null) return null;
            var channel = notifications.slack().channel();
            if (channel == null || channel.isBlank()) return null;
            return new Target(channel, notifications.slack().events() == null ? Set.of() : Set.copyOf(notifications.slack().events()),
                    notifications.slack().postsPreviews());
        }
    }

    /**
     * Where a person opens what a message is about, each empty when none is known: the run's page
     * (the functions' {@code RunLinks}), and a preview's PR/MR page (its web URL, which the run
     * record does not keep: the trigger names only {@code acme/infra#7}). A lookup that throws counts
     * as none; only names and ids should go into a link, and it is redacted as every text is.
     */
    public record Links(Function<Run, Optional<String>> run, Function<Run, Optional<String>> pullRequest) {
        /** No links: a preview names its PR as text and the {@code cairn status} command of its run. */
        public static final Links NONE = new Links(r -> Optional.empty(), r -> Optional.empty());

        public Links {
            run = run == null ? r -> Optional.empty() : run;
            pullRequest = pullRequest == null ? r -> Optional.empty() : pullRequest;
        }

        static Optional<String> of(Function<Run, Optional<String>> link, Run r) {
            try {
                var url = link.apply(r);
                return url == null ? Optional.empty() : url.filter(u -> !u.isBlank());
            } catch (RuntimeException e) {
                LOG.warn("no link for run {}: {}", r.id(), e.getClass().getSimpleName());
                return Optional.empty();
            }
        }
    }

    private final Supplier<MethodsClient> slack;
    private final ThreadStore threads;
    private final Function<Run, Target> targetOf;
    private final Duration minInterval;
    private final Clock clock;
    private final Links links;

    /**
     * @param slack    the Web API client with the bot token, asked for on the first call only
     * @param targetOf where a run's messages go, or null for nowhere
     */
    public SlackNotifier(Supplier<MethodsClient> slack, ThreadStore threads, Function<Run, Target> targetOf, Duration minInterval,
                         Clock clock) {
        this(slack, threads, targetOf, minInterval, clock, Links.NONE);
    }

    /** @param links the run's page and a preview's PR page, for the preview message ({@link Links}) */
    public SlackNotifier(Supplier<MethodsClient> slack, ThreadStore threads, Function<Run, Target> targetOf, Duration minInterval,
                         Clock clock, Links links) {
        this.slack = slack;
        this.threads = threads;
        this.targetOf = targetOf;
        this.minInterval = minInterval;
        this.clock = clock;
        this.links = links == null ? Links.NONE : links;
    }

    @Override
    public void runStarted(Run run) {
        if (Previews.isPreview(run.trigger())) return; // a preview is one message, at its end
        safely("chat.postMessage", () -> {
            var target = targetOf.apply(run);
            if (target == null || !target.wants(event(run))) return;
            if (threads.get(run.infrastructure(), run.id()).isPresent()) return; // a retried step: the thread is there
            var posted = ok(slack.get().chatPostMessage(r -> r.channel(target.channel()).text(headline(run))
                    .blocksAsString(JSON.toJson(BlockKit.progress(run)))));
            if (posted == null) return;
            var now = clock.instant();
            threads.create(new ThreadStore.RunThread(run.infrastructure(), run.id(), posted.getChannel(), posted.getTs(), run.version(), now,
                    now.plus(THREAD_TTL)));
        });
    }

    @Override
    public void stageChanged(Run run, StageResult stage) {
        if (Previews.isPreview(run.trigger())) return;
        editHead(run, stage.status().done(), new Redactor());
    }

    @Override
    public void approvalRequested(Run run, ApprovalStore.Approval approval) {
        reply(run, "approval", approval.infrastructure() + " " + approval.stage() + " waits for approval", BlockKit.approval(approval),
                new Redactor(), false);
    }

    @Override
    public void runFinished(Run run, Map<String, StageOutputs> outputs) {
        var redactor = new Redactor();
        outputs.values().forEach(s -> s.values().values().forEach(v -> {
            if (v.sensitive()) redactor.add(v.value());
        }));
        if (Previews.isPreview(run.trigger())) {
            previewFinished(run, redactor);
            return;
        }
        editHead(run, true, redactor);
        safely("chat.postMessage", () -> {
            var target = targetOf.apply(run);
            if (target == null) return;
            // a run's own messages, or only its failure when the manifest asks for failures alone
            if (!target.wants(event(run)) && !(run.status() == RunStatus.FAILED && target.wants("failure"))) return;
            post(run, target, run.infrastructure() + " " + run.action().name().toLowerCase() + " " + run.status().name().toLowerCase(),
                    BlockKit.result(run, outputs), redactor, false);
        });
    }

    /**
     * A finished PR/MR plan preview, when the manifest asks ({@code notifications.slack.previews}):
     * one message in the channel, never a thread, with the per-stage plan a reviewer needs
     * ({@link PreviewMessage}). The outputs only teach the redactor: a preview shows none of them.
     */
    private void previewFinished(Run run, Redactor redactor) {
        safely("chat.postMessage", () -> {
            var target = targetOf.apply(run);
            if (target == null || !target.previews()) return;
            var blocks = PreviewMessage.blocks(run, Links.of(links.pullRequest(), run), Links.of(links.run(), run), redactor);
            var body = redactor.apply(JSON.toJson(BlockKit.redacted(BlockKit.limited(blocks), redactor)));
            var text = redactor.apply(PreviewMessage.text(run, redactor));
            ok(slack.get().chatPostMessage(r -> r.channel(target.channel()).text(text).blocksAsString(body)));
        });
    }

    @Override
    public void driftFound(Run run) {
        reply(run, "drift", "drift in " + run.infrastructure(), List.of(BlockKit.section(":warning: *drift* in *" + run.infrastructure()
                + "*: the scheduled check found changes git did not make (run `" + run.infrastructure() + "/" + run.id() + "`)")),
                new Redactor(), true);
    }

    /** Edits the head message to show {@code run}, when it is this writer's turn; {@code must}: wait for the turn. */
    private void editHead(Run run, boolean must, Redactor redactor) {
        safely("chat.update", () -> {
            for (int turn = 0; turn < TURNS; turn++) {
                var thread = threads.get(run.infrastructure(), run.id());
                if (thread.isEmpty() || thread.get().version() >= run.version()) return; // no thread, or a newer state is shown
                var now = clock.instant();
                if (threads.claimUpdate(run.infrastructure(), run.id(), run.version(), now, minInterval)) {
                    var t = thread.get();
                    ok(slack.get().chatUpdate(r -> r.channel(t.channel()).ts(t.ts()).text(headline(run))
                            .blocksAsString(redactor.apply(JSON.toJson(BlockKit.redacted(BlockKit.progress(run), redactor))))));
                    return;
                }
                if (!must) return; // coalesced: the next edit shows it
                var wait = Duration.between(now, threads.get(run.infrastructure(), run.id()).map(ThreadStore.RunThread::updatedAt)
                        .orElse(now).plus(minInterval));
                Thread.sleep(Math.clamp(wait.toMillis(), 20, Math.max(20, minInterval.toMillis())));
            }
            LOG.warn("Slack chat.update of run {} skipped: no turn within {} intervals", run.id(), TURNS);
        });
    }

    /** A reply in the run's thread, or a message in the channel when the run has none. */
    private void reply(Run run, String event, String text, List<Map<String, Object>> blocks, Redactor redactor, boolean broadcast) {
        safely("chat.postMessage", () -> {
            var target = targetOf.apply(run);
            if (target != null && target.wants(event)) post(run, target, text, blocks, redactor, broadcast);
        });
    }

    private void post(Run run, Target target, String text, List<Map<String, Object>> blocks, Redactor redactor, boolean broadcast)
            throws Exception {
        var thread = threads.get(run.infrastructure(), run.id());
        var channel = thread.map(ThreadStore.RunThread::channel).orElse(target.channel());
        var body = redactor.apply(JSON.toJson(BlockKit.redacted(BlockKit.limited(blocks), redactor)));
        ok(slack.get().chatPostMessage(r -> {
            r.channel(channel).text(redactor.apply(BlockKit.clip(text))).blocksAsString(body);
            thread.ifPresent(t -> {
                r.threadTs(t.ts());
                if (broadcast) r.replyBroadcast(true);
            });
            return r;
        }));
    }

    /** The run's own messages: {@code plan} for a plan-only run, {@code apply} for apply and destroy. */
    private static String event(Run run) {
        return run.action() == RunAction.PLAN ? "plan" : "apply";
    }

    private static String headline(Run run) {
        return run.action().name().toLowerCase() + " " + run.infrastructure() + ": " + run.status().name().toLowerCase();
    }

    /** The response when Slack said ok; null (logged with Slack's error code) otherwise. */
    private static <R extends SlackApiTextResponse> R ok(R response) {
        if (response.isOk()) return response;
        LOG.warn("Slack answered {}", response.getError());
        return null;
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void safely(String method, Call call) {
        try {
            call.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) {
            LOG.warn("Slack {} failed: {}", method, e.getClass().getSimpleName());
        }
    }
}
