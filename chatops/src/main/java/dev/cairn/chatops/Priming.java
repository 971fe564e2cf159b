package dev.cairn.chatops;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;


/**
 * SnapStart / CRaC priming: before the snapshot, {@link SlackApp#prime} runs a few times (an
 * unsigned request refused by the signature check, Bolt's parser on a synthetic command, the
 * grammar, Block Kit serialization; no network, no stores) so the restored function answers its
 * first real request with those classes loaded and compiled.
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

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        for (int i = 0; i < 20; i++) app.prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
    }
}
