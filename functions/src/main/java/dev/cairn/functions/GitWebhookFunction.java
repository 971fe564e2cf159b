package dev.cairn.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.util.Map;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The git webhook Lambda function ({@code dev.cairn.functions.GitWebhookFunction::handleRequest}):
 * API Gateway HTTP API v2 events on {@code POST /webhooks/github} and {@code POST /webhooks/gitlab}.
 * It only adapts the event to {@link WebhookService}, which holds the behaviour.
 *
 * <p>Everything is built once per container from the environment (the no-argument constructor,
 * as Lambda calls it) or from a given map ({@code cairn invoke} runs it in-process with a
 * template's variables). A configuration error is logged and answered 503 on every request, so
 * that a misconfigured function refuses deliveries instead of failing open.
 */
public final class GitWebhookFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(GitWebhookFunction.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookService service;
    private final String misconfigured;

    public GitWebhookFunction() {
        this(System.getenv());
    }

    public GitWebhookFunction(Map<String, String> env) {
        WebhookService built = null;
        String problem = null;
        try {
            built = WebhookWiring.service(Map.copyOf(env));
        } catch (RuntimeException e) {
            problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.error("the webhook function is misconfigured and refuses every delivery: " + problem);
        }
        this.service = built;
        this.misconfigured = problem;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return context == null ? handle(event) : PowertoolsLogging.withLogging(context, () -> handle(event));
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        WebhookResponse response;
        if (service == null) {
            LOG.error("refused: the webhook function is misconfigured", entry("problem", misconfigured));
            response = WebhookResponse.of(503, "not-configured", "the webhook function is misconfigured; see its log");
        } else if (event == null) {
            response = WebhookResponse.of(400, "bad-request", "no event");
        } else {
            var http = event.getRequestContext() == null ? null : event.getRequestContext().getHttp();
            var method = http != null ? http.getMethod() : methodOf(event.getRouteKey());
            response = service.handle(new WebhookRequest(method, event.getRawPath(), event.getHeaders(), event.getBody(), event.getIsBase64Encoded()));
        }
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(Map.of("Content-Type", "application/json"))
                .withBody(json(response.body()))
                .build();
    }

    private static String methodOf(String routeKey) {
        if (routeKey == null || !routeKey.contains(" ")) return null;
        return routeKey.substring(0, routeKey.indexOf(' '));
    }

    private static String json(Map<String, Object> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            return "{\"outcome\":\"error\"}";
        }
    }
}
