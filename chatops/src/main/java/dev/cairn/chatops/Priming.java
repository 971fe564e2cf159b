package dev.cairn.chatops;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

import java.util.List;
import java.util.Map;

/**
 * SnapStart / CRaC priming: before the snapshot, one synthetic unsigned request goes through the
 * app (refused with 401 by the signature check, which loads and JIT-warms the verification, Bolt's
 * parser and the JSON path) so the restored function answers its first real request warm.
 */
final class Priming implements Resource {
    private static final java.util.Set<Priming> REGISTERED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final SlackApp app;

    private Priming(SlackApp app) {
        this.app = app;
    }

    static void register(SlackApp app) {
        var priming = new Priming(app);
        REGISTERED.add(priming); // CRaC holds resources weakly
        Core.getGlobalContext().register(priming);
    }

    static SlackApp.Reply prime(SlackApp app) {
        return app.handle("/slack/events", Map.of("X-Slack-Request-Timestamp", List.of("0"), "X-Slack-Signature", List.of("v0=00")),
                "command=%2Finfra&text=status");
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        for (int i = 0; i < 20; i++) prime(app);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
    }
}
