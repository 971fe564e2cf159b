package dev.cairn.cli.invoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cairn.reconciler.manifest.Json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A test handler shaped like the git webhook function: takes its environment as a map (the
 * constructor cairn invoke prefers) and answers with what it got — the environment, the event's
 * method, path, headers and body, and the context — so tests see what a real handler would.
 * A request whose body is "forbidden" gets a 403, as a webhook with a bad signature would.
 */
public final class EchoEnvironmentFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final Map<String, String> env;

    public EchoEnvironmentFunction() {
        this(System.getenv());
    }

    public EchoEnvironmentFunction(Map<String, String> env) {
        this.env = new TreeMap<>(env);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        System.out.println("echo: a line the handler printed");
        context.getLogger().log("echo: a line the handler logged\n");
        var body = new LinkedHashMap<String, Object>();
        body.put("env", env);
        body.put("method", event.getRequestContext() == null ? null : event.getRequestContext().getHttp().getMethod());
        body.put("rawPath", event.getRawPath());
        body.put("headers", event.getHeaders());
        body.put("body", event.getBody());
        body.put("isBase64Encoded", event.getIsBase64Encoded());
        body.put("functionName", context.getFunctionName());
        body.put("requestId", context.getAwsRequestId());
        body.put("remainingMillis", context.getRemainingTimeInMillis());
        body.put("memoryMb", context.getMemoryLimitInMB());
        try {
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode("forbidden".equals(event.getBody()) ? 403 : 200)
                    .withHeaders(Map.of("content-type", "application/json"))
                    .withBody(Json.MAPPER.writeValueAsString(body))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
