package dev.cairn.functions;

import dev.cairn.reconciler.change.ChangeDetector;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.launch.ExecutionNames;
import dev.cairn.reconciler.launch.RunLauncher;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.store.AuditLog;
import dev.cairn.reconciler.store.DeliveryStore;
import dev.cairn.reconciler.store.RevisionStore;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A verified push, start to end: dedupe by delivery id, ignore what is not a branch push of the
 * configured repository, fetch, read the tracked branch from {@code cairn.yaml} at the pushed
 * commit, detect which infrastructures changed, record each one's desired revision and start one
 * run per changed infrastructure with a name derived from signed content (so a retried delivery
 * maps to the run it already started). Every decision goes to the audit log. The detector reads
 * the repository path ({@code CAIRN_REPO_PATH}) only: a push changing files outside it starts nothing.
 *
 * <p>When handling fails after the delivery was recorded, the delivery is forgotten and the
 * failure rethrown (answered 5xx), so the sender's retry is handled rather than taken for a duplicate.
 */
public final class PushFlow {
    /** How long a delivery id is remembered: longer than any sender retries or a person redelivers. */
    public static final Duration DELIVERY_TTL = Duration.ofDays(7);
    static final String DELETED_NOTE = "manifest deleted: nothing was destroyed or started; destroy it on purpose with `cairn destroy`";

    private final DeliveryStore deliveries;
    private final RevisionStore revisions;
    private final AuditLog audit;
    private final RunLauncher launcher;
    private final ChangeDetector detector;
    private final GitMirror mirror;
    private final Optional<String> configuredRepoUrl;
    private final Clock clock;

    /** @param configuredRepoUrl {@code CAIRN_REPO_URL}: when set, only pushes to it are handled and it is what is fetched */
    public PushFlow(DeliveryStore deliveries, RevisionStore revisions, AuditLog audit, RunLauncher launcher,
                    ChangeDetector detector, GitMirror mirror, Optional<String> configuredRepoUrl, Clock clock) {
        this.deliveries = deliveries;
        this.revisions = revisions;
        this.audit = audit;
        this.launcher = launcher;
        this.detector = detector;
        this.mirror = mirror;
        this.configuredRepoUrl = configuredRepoUrl;
        this.clock = clock;
    }

    public WebhookResponse handle(PushEvent push) throws Exception {
        var body = new LinkedHashMap<String, Object>();
        body.put("delivery", push.deliveryId());
        body.put("commit", push.after());
        body.put("ref", push.ref());
        return DeliveryOnce.handle(deliveries, push.source(), push.deliveryId(), clock.instant().plus(DELIVERY_TTL), body,
                () -> record("-", push, "duplicate", Map.of()), () -> handleFirst(push, body));
    }

    private WebhookResponse handleFirst(PushEvent push, Map<String, Object> body) throws Exception {
        var fetchUrl = DeliveryOnce.fetchUrl(configuredRepoUrl, push.cloneUrls(), push.cloneUrl());
        if (fetchUrl.isEmpty()) return ignored(push, body, "push to " + push.repository() + ", not the configured repository (CAIRN_REPO_URL)");
        var url = fetchUrl.get();
        if (!push.isBranch()) return ignored(push, body, "not a branch push (" + push.ref() + ")");
        if (push.deletesRef()) return ignored(push, body, "branch " + push.branch() + " was deleted; nothing is destroyed");

        try (var fetched = mirror.fetch(url, push.ref(), push.after(), push.createsRef() ? null : push.before())) {
            return detect(push, body, fetched);
        } catch (InvalidInputException invalid) {
            // the repository's own files are wrong at this commit: a retry cannot help, a fixing push will
            var reason = "the repository cannot be read at " + push.after() + ": " + invalid.getMessage();
            record("-", push, "refused", Map.of("reason", reason));
            body.put("outcome", "invalid-repository");
            body.put("message", reason);
            return new WebhookResponse(422, body);
        }
    }

    private WebhookResponse detect(PushEvent push, Map<String, Object> body, GitMirror.Fetched fetched) {
        var tracked = detector.config(fetched.repository(), fetched.after()).branch();
        if (!tracked.equals(push.branch())) {
            return ignored(push, body, "not the tracked branch: " + push.branch() + " (cairn.yaml tracks " + tracked + ")");
        }
        var changes = detector.between(fetched.repository(), fetched.before(), fetched.after());
        var started = new ArrayList<Map<String, Object>>();
        for (var changed : changes.changed()) {
            var infra = changed.infrastructure();
            var trigger = push.source() + ":push " + push.deliveryId();
            revisions.putDesired(new RevisionStore.DesiredRevision(infra, push.after(), push.ref(), trigger, clock.instant()));
            var name = ExecutionNames.of(infra, RunAction.APPLY, push.after(), "push");
            var launched = launcher.launch(new RunLauncher.RunRequest(name, infra, RunAction.APPLY, push.after(), push.ref(), trigger));
            record(infra, push, "started", Map.of("execution", launched.name(), "executionId", launched.executionId(),
                    "alreadyStarted", String.valueOf(launched.alreadyStarted()), "reasons", String.join("; ", changed.reasons())));
            var entry = new LinkedHashMap<String, Object>();
            entry.put("infrastructure", infra);
            entry.put("execution", launched.name());
            entry.put("executionId", launched.executionId());
            entry.put("alreadyStarted", launched.alreadyStarted());
            entry.put("reasons", changed.reasons());
            started.add(entry);
        }
        var deleted = new ArrayList<Map<String, Object>>();
        for (var gone : changes.deleted()) {
            record(gone.infrastructure(), push, "deleted", Map.of("manifest", gone.manifest(), "note", DELETED_NOTE));
            deleted.add(Map.of("infrastructure", gone.infrastructure(), "manifest", gone.manifest(), "note", DELETED_NOTE));
        }
        if (started.isEmpty() && deleted.isEmpty()) {
            var path = detector.path();
            record("-", push, "ignored", Map.of("reason", "no infrastructure changed" + (path.isRoot() ? "" : " under " + path.value())));
        }
        body.put("outcome", started.isEmpty() ? "nothing-started" : "started");
        body.put("started", started);
        body.put("unchanged", changes.unchanged());
        body.put("deleted", deleted);
        if (fetched.before() == null && !push.createsRef()) {
            body.put("message", "commit " + push.before() + " is not in the repository (force push?): every infrastructure was compared as new");
        }
        return new WebhookResponse(started.isEmpty() ? 200 : 202, body);
    }

    private WebhookResponse ignored(PushEvent push, Map<String, Object> body, String reason) {
        record("-", push, "ignored", Map.of("reason", reason));
        body.put("outcome", "ignored");
        body.put("ignored", reason);
        return new WebhookResponse(202, body);
    }

    private void record(String infrastructure, PushEvent push, String outcome, Map<String, String> extra) {
        var details = new LinkedHashMap<String, String>();
        details.put("delivery", push.deliveryId());
        details.put("source", push.source());
        details.put("ref", push.ref());
        details.put("commit", push.after());
        details.putAll(extra);
        audit.append(new AuditLog.Entry(clock.instant(), infrastructure, push.actor(), "push", outcome, details));
    }

    /** Same repository whatever the URL's spelling: case, a trailing {@code .git} or slash. */
    public static boolean sameRepo(String a, String b) {
        return normalize(a).equals(normalize(b));
    }

    private static String normalize(String url) {
        var u = url.strip().toLowerCase(Locale.ROOT);
        while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
        if (u.endsWith(".git")) u = u.substring(0, u.length() - 4);
        return u;
    }
}
