package dev.cairn.chatops;

import com.slack.api.methods.MethodsClient;
import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.notify.RunNotifier;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.StageResult;
import dev.cairn.reconciler.store.StageOutputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Run threads in Slack: {@code runStarted} posts the run's message in the infrastructure's
 * channel ({@code notifications.slack.channel}); stage changes update it in place
 * ({@code chat.update}), coalesced to one update per {@code minInterval} unless a stage finished;
 * approvals, the result and drift are replies in the thread. Never throws into the run: a failed
 * call is logged (without the token) and the run goes on. The thread's {@code ts} is kept per
 * warm container (a store for it is the state machine's part).
 */
public final class SlackNotifier implements RunNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(SlackNotifier.class);

    private record Thread(String channel, String ts, Instant updatedAt) {
    }

    private final MethodsClient slack;
    private final Function<String, String> channelOf;
    private final Duration minInterval;
    private final Clock clock;
    private final Map<String, Thread> threads = new ConcurrentHashMap<>();

    /** @param channelOf the Slack channel of an infrastructure, or null for none */
    public SlackNotifier(MethodsClient slack, Function<String, String> channelOf, Duration minInterval, Clock clock) {
        this.slack = slack;
        this.channelOf = channelOf;
        this.minInterval = minInterval;
        this.clock = clock;
    }

    @Override
    public void runStarted(Run run) {
        var channel = channelOf.apply(run.infrastructure());
        if (channel == null) return;
        safely("chat.postMessage", () -> {
            var posted = slack.chatPostMessage(r -> r.channel(channel).text(run.action().name().toLowerCase() + " " + run.infrastructure())
                    .blocksAsString(SlackApp.json(BlockKit.progress(run))));
            if (posted.isOk()) threads.put(run.id(), new Thread(posted.getChannel(), posted.getTs(), clock.instant()));
        });
    }

    @Override
    public void stageChanged(Run run, StageResult stage) {
        var thread = threads.get(run.id());
        if (thread == null) return;
        var now = clock.instant();
        if (!stage.status().done() && thread.updatedAt().plus(minInterval).isAfter(now)) return; // coalesced
        safely("chat.update", () -> {
            slack.chatUpdate(r -> r.channel(thread.channel()).ts(thread.ts()).text(run.infrastructure() + " " + stage.stage() + " " + stage.status().label())
                    .blocksAsString(SlackApp.json(BlockKit.progress(run))));
            threads.put(run.id(), new Thread(thread.channel(), thread.ts(), now));
        });
    }

    @Override
    public void approvalRequested(Run run, ApprovalStore.Approval approval) {
        reply(run, approval.infrastructure() + " " + approval.stage() + " waits for approval", BlockKit.approval(approval));
    }

    @Override
    public void runFinished(Run run, Map<String, StageOutputs> outputs) {
        reply(run, run.infrastructure() + " " + run.status().name().toLowerCase(), BlockKit.result(run, outputs));
        threads.remove(run.id());
    }

    @Override
    public void driftFound(Run run) {
        var channel = channelOf.apply(run.infrastructure());
        if (channel == null) return;
        safely("chat.postMessage", () -> slack.chatPostMessage(r -> r.channel(channel).text("drift in " + run.infrastructure())
                .blocksAsString(SlackApp.json(List.of(BlockKit.section(":warning: *drift* in *" + run.infrastructure()
                        + "*: the scheduled check found changes git did not make (run `" + run.id() + "`)"))))));
    }

    private void reply(Run run, String text, List<Map<String, Object>> blocks) {
        var thread = threads.get(run.id());
        var channel = thread != null ? thread.channel() : channelOf.apply(run.infrastructure());
        if (channel == null) return;
        safely("chat.postMessage", () -> slack.chatPostMessage(r -> {
            r.channel(channel).text(text).blocksAsString(SlackApp.json(BlockKit.limited(blocks)));
            if (thread != null) r.threadTs(thread.ts());
            return r;
        }));
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void safely(String method, Call call) {
        try {
            call.run();
        } catch (Exception | Error e) {
            LOG.warn("Slack {} failed: {}", method, e.getClass().getSimpleName());
        }
    }
}
