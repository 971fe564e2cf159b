package dev.cairn.functions;

import dev.cairn.aws.secrets.CachedSecrets;
import dev.cairn.aws.secrets.WebhookSecrets;
import dev.cairn.functions.pr.PullRequestFlow;
import dev.cairn.functions.pr.PullRequestPayloads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The webhook's HTTP behaviour, in order: route ({@code POST /webhooks/github},
 * {@code POST /webhooks/gitlab}), bound the body, verify the signature or token (constant time,
 * before anything is parsed; no secret configured means refused), then parse defensively and hand
 * pushes to the {@link PushFlow}. Every answer is logged as one structured line with the delivery
 * id, the event and the outcome, never with a secret or the body.
 */
public final class WebhookService {
    /** Larger bodies are refused with 413 before being decoded or verified. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Logger LOG = LoggerFactory.getLogger(WebhookService.class);

    private final WebhookSecrets secrets;
    private final PushFlow pushes;
    private final PullRequestFlow pullRequests;

    public WebhookService(WebhookSecrets secrets, PushFlow pushes, PullRequestFlow pullRequests) {
        this.secrets = secrets;
        this.pushes = pushes;
        this.pullRequests = pullRequests;
    }

    public WebhookResponse handle(WebhookRequest request) {
        String source = request.path().endsWith("/webhooks/github") ? "github"
                : request.path().endsWith("/webhooks/gitlab") ? "gitlab" : null;
        var delivery = source == null ? null
                : request.header("github".equals(source) ? "X-GitHub-Delivery" : "X-Gitlab-Event-UUID");
        var event = source == null ? null : request.header("github".equals(source) ? "X-GitHub-Event" : "X-Gitlab-Event");
        WebhookResponse response;
        try {
            response = route(request, source, delivery, event);
        } catch (PushPayloads.BadPayloadException | GitMirror.RefusedUrlException bad) {
            response = WebhookResponse.of(400, "bad-request", bad.getMessage());
        } catch (Exception | Error e) {
            // "error" is a key Powertools reserves (the entry would be dropped); the chain is in the text too, for simplelogger (cairn invoke, serve)
            LOG.error("webhook handling failed; nothing is kept for this delivery, so a redelivery is handled: " + chain(e),
                    entry("delivery_id", safe(delivery)), entry("source", source), entry("event", safe(event)),
                    entry("failure", chain(e)));
            response = WebhookResponse.of(500, "error", "handling failed (" + e.getClass().getSimpleName()
                    + "); nothing is kept for this delivery, so redelivering it is safe");
        }
        var line = "webhook " + (source == null ? safePath(request.path()) : source) + " " + response.status() + " " + response.outcome();
        var detail = response.body().getOrDefault("message", response.body().get("ignored"));
        var fields = new Object[]{entry("delivery_id", safe(delivery)), entry("source", source), entry("event", safe(event)),
                entry("status", response.status()), entry("outcome", response.outcome()), entry("detail", detail),
                entry("commit", response.body().get("commit")), entry("started", startedNames(response))};
        if (response.status() >= 500) LOG.error(line, fields);
        else if (response.status() == 401 || response.status() == 413) LOG.warn(line, fields);
        else LOG.info(line, fields);
        return response;
    }

    private WebhookResponse route(WebhookRequest request, String source, String delivery, String event) throws Exception {
        if (source == null) return WebhookResponse.of(404, "not-found", "no webhook at " + safePath(request.path()) + " (POST /webhooks/github or /webhooks/gitlab)");
        if (!request.method().equals("POST")) return WebhookResponse.of(405, "method-not-allowed", "webhooks are POSTed");

        var body = request.body() == null ? "" : request.body();
        if ((request.base64Encoded() ? (long) body.length() * 3 / 4 : body.length()) > MAX_BODY_BYTES) return tooLarge();
        byte[] bytes;
        if (request.base64Encoded()) {
            try {
                bytes = Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                return WebhookResponse.of(400, "bad-request", "the body is marked base64 but is not");
            }
        } else {
            bytes = body.getBytes(StandardCharsets.UTF_8);
        }
        if (bytes.length > MAX_BODY_BYTES) return tooLarge();

        var kind = source.equals("github") ? WebhookSecrets.Kind.GITHUB_WEBHOOK_SECRET : WebhookSecrets.Kind.GITLAB_WEBHOOK_TOKEN;
        Optional<String> secret;
        try {
            secret = secrets.get(kind);
        } catch (CachedSecrets.SecretUnavailableException e) {
            LOG.error("webhook secret unavailable: " + e.getMessage(), entry("source", source));
            return WebhookResponse.of(503, "unavailable", "the " + source + " webhook secret cannot be read right now");
        }
        if (secret.isEmpty()) {
            LOG.error("no " + source + " webhook secret configured, so every " + source + " delivery is refused: "
                    + WebhookSecrets.howToConfigure(kind), entry("source", source));
            return WebhookResponse.of(503, "not-configured", "the " + source + " webhook secret is not configured");
        }
        if (source.equals("github")) {
            if (request.header("X-Hub-Signature-256") == null && request.header("X-Hub-Signature") != null) {
                return WebhookResponse.of(401, "refused", "only X-Hub-Signature-256 (sha256) signatures are accepted");
            }
            if (!WebhookSignatures.githubValid(secret.get(), bytes, request.header("X-Hub-Signature-256"))) {
                return WebhookResponse.of(401, "refused", "missing or invalid X-Hub-Signature-256");
            }
        } else if (!WebhookSignatures.gitlabValid(secret.get(), request.header("X-Gitlab-Token"))) {
            return WebhookResponse.of(401, "refused", "missing or invalid X-Gitlab-Token");
        }

        // verified: from here on the body and headers come from the secret's holder
        if (source.equals("github")) {
            if ("ping".equals(event)) {
                PushPayloads.parse(bytes);
                return WebhookResponse.of(200, "pong", "pong");
            }
            if ("pull_request".equals(event)) return pullRequest(PullRequestPayloads.github(deliveryId(delivery, "X-GitHub-Delivery"), bytes));
            if (!"push".equals(event)) return WebhookResponse.of(202, "ignored", "GitHub event '" + safe(event) + "' is not handled (only push, pull_request and ping)");
            return pushes.handle(PushPayloads.github(deliveryId(delivery, "X-GitHub-Delivery"), bytes));
        }
        if ("Merge Request Hook".equals(event)) return pullRequest(PullRequestPayloads.gitlab(deliveryId(delivery, "X-Gitlab-Event-UUID"), bytes));
        if (!"Push Hook".equals(event)) return WebhookResponse.of(202, "ignored", "GitLab event '" + safe(event) + "' is not handled (only Push Hook and Merge Request Hook)");
        return pushes.handle(PushPayloads.gitlab(deliveryId(delivery, "X-Gitlab-Event-UUID"), bytes));
    }

    private WebhookResponse pullRequest(PullRequestPayloads.Parsed parsed) throws Exception {
        if (parsed.event().isEmpty()) return WebhookResponse.of(202, "ignored", parsed.ignored());
        return pullRequests.handle(parsed.event().get());
    }

    private static String deliveryId(String value, String header) {
        if (value == null || !DELIVERY_ID.matcher(value).matches()) {
            throw new PushPayloads.BadPayloadException("header " + header + " is missing or not a delivery id");
        }
        return value;
    }

    /** The execution names a response reports, for the log line. */
    private static java.util.List<Object> startedNames(WebhookResponse response) {
        if (!(response.body().get("started") instanceof java.util.List<?> started)) return java.util.List.of();
        return started.stream().map(s -> s instanceof java.util.Map<?, ?> m ? m.get("execution") : s).toList();
    }

    private static WebhookResponse tooLarge() {
        return WebhookResponse.of(413, "too-large", "the body is larger than " + MAX_BODY_BYTES + " bytes");
    }

    private static String safePath(String path) {
        return path.matches("[A-Za-z0-9/._-]{0,128}") ? path : "(unprintable path)";
    }

    /** Header values are not signed: log them only when they look like what they claim to be. */
    private static String safe(String value) {
        if (value == null) return null;
        return value.length() <= 64 && value.matches("[A-Za-z0-9 ._:-]*") ? value : "(unprintable)";
    }

    /** The exception and its causes, {@code Class: message <- Class: message}. */
    private static String chain(Throwable e) {
        var text = new StringBuilder();
        int depth = 0;
        for (var t = e; t != null && depth < 10; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (depth > 0) text.append(" <- ");
            text.append(t.getClass().getName()).append(t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        return text.toString();
    }
}
