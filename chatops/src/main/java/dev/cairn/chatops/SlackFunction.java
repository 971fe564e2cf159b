package dev.cairn.chatops;

import dev.cairn.reconciler.launch.QueuedRunLauncher;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.slack.api.bolt.aws_lambda.request.ApiGatewayRequest;
import com.slack.api.bolt.aws_lambda.response.ApiGatewayResponse;
import dev.cairn.reconciler.run.Workspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Slack Lambda function ({@code dev.cairn.chatops.SlackFunction::handleRequest}) on
 * {@code POST /slack/events}: API Gateway's REST-proxy event shape (payload format 1.0), read
 * with {@code bolt-aws-lambda}'s {@link ApiGatewayRequest}. Built once per container from the
 * environment (no-argument constructor, as Lambda calls it) or a given map ({@code cairn invoke}).
 * A configuration error answers 503 on every request: a misconfigured app refuses, never fails open.
 * {@link Priming} registers a CRaC hook that primes the app before a SnapStart snapshot.
 */
public final class SlackFunction implements RequestHandler<ApiGatewayRequest, ApiGatewayResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(SlackFunction.class);
    private final SlackApp app;
    private final String misconfigured;

    public SlackFunction() {
        this(System.getenv());
    }

    public SlackFunction(Map<String, String> env) {
        SlackApp built = null;
        String problem = null;
        try {
            var state = Path.of(ChatopsWiring.blank(env.get("CAIRN_STATE_DIR")) ? ".cairn" : env.get("CAIRN_STATE_DIR"));
            built = ChatopsWiring.app(Map.copyOf(env), new QueuedRunLauncher(new Workspace(state).root().resolve("queue")), Clock.systemUTC());
        } catch (RuntimeException e) {
            problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.error("the Slack function is misconfigured and refuses every request: {}", problem);
        }
        this.app = built;
        this.misconfigured = problem;
        if (built != null) Priming.register(built);
    }

    @Override
    public ApiGatewayResponse handleRequest(ApiGatewayRequest event, Context context) {
        if (app == null) return response(new SlackApp.Reply(503, Map.of("Content-Type", "application/json"), "{\"error\":\"not configured\"}"));
        if (event == null) return response(new SlackApp.Reply(400, Map.of(), "no event"));
        var body = event.getBody() == null ? "" : event.getBody();
        if (event.isBase64Encoded()) body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        var headers = new HashMap<String, List<String>>();
        if (event.getHeaders() != null) event.getHeaders().forEach((k, v) -> headers.put(k, List.of(v)));
        return response(app.handle(event.getPath() == null ? "/slack/events" : event.getPath(), headers, body));
    }

    public String misconfigured() {
        return misconfigured;
    }

    private static ApiGatewayResponse response(SlackApp.Reply reply) {
        return ApiGatewayResponse.builder().statusCode(reply.status()).headers(reply.headers()).rawBody(reply.body()).build();
    }
}
