package dev.cairn.chatops;

import dev.cairn.notify.slack.BlockKit;
import com.slack.api.Slack;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.util.SlackRequestParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one Bolt {@link App} both adapters run ({@link SlackFunction} on Lambda,
 * {@link SlackServlet} on a servlet container), behind our own {@link SlackSignature} check:
 * {@link #handle} refuses unsigned, stale, future or oversized requests with 401 before Bolt
 * parses anything. {@code /infra} and the Approve/Reject buttons go to {@link InfraService}.
 */
public final class SlackApp {
    private static final Logger LOG = LoggerFactory.getLogger(SlackApp.class);
    /** Gson, which Bolt loads anyway: one JSON library on the ack path. */
    private static final com.google.gson.Gson JSON = new com.google.gson.Gson();

    /** What goes back over HTTP. */
    public record Reply(int status, Map<String, String> headers, String body) {
    }

    private final App app;
    private final SlackRequestParser parser;
    private final SlackSignature signature;

    /**
     * @param slack the Web API client, pointed at {@code CAIRN_SLACK_API_URL} when set (see {@link ChatopsWiring#apiConfig})
     */
    public SlackApp(String signingSecret, String botToken, Slack slack, InfraService service, Clock clock) {
        var config = AppConfig.builder().signingSecret(signingSecret).singleTeamBotToken(botToken).slack(slack).build();
        this.app = new App(config);
        this.parser = new SlackRequestParser(config);
        this.signature = new SlackSignature(signingSecret, clock);

        app.command("/infra", (req, ctx) -> {
            var p = req.getPayload();
            var reply = service.command(new InfraService.SlashCommand(p.getUserId(), p.getChannelId(), p.getTriggerId(), p.getText()));
            return ctx.ackWithJson(reply);
        });
        app.blockAction(BlockKit.APPROVE, (req, ctx) -> click(req, ctx, service, true));
        app.blockAction(BlockKit.REJECT, (req, ctx) -> click(req, ctx, service, false));
    }

    private static com.slack.api.bolt.response.Response click(com.slack.api.bolt.request.builtin.BlockActionRequest req,
                                                              com.slack.api.bolt.context.builtin.ActionContext ctx,
                                                              InfraService service, boolean approve)
            throws java.io.IOException, com.slack.api.methods.SlackApiException {
        var p = req.getPayload();
        var user = p.getUser().getId();
        var reply = service.button(user, p.getActions().get(0).getValue(), approve);
        var blocks = json(reply.get("blocks"));
        var channel = p.getChannel() == null ? null : p.getChannel().getId();
        if (channel != null) {
            if ("in_channel".equals(reply.get("response_type")) && p.getContainer() != null && p.getContainer().getMessageTs() != null) {
                // decided: the approval message becomes the decision, its buttons gone
                ctx.client().chatUpdate(r -> r.channel(channel).ts(p.getContainer().getMessageTs())
                        .text((String) reply.get("text")).blocksAsString(blocks));
            } else {
                ctx.client().chatPostEphemeral(r -> r.channel(channel).user(user).text((String) reply.get("text")).blocksAsString(blocks));
            }
        }
        return ctx.ack();
    }

    /** Verifies, then runs the request through Bolt. Never throws: failures are 5xx with no detail. */
    public Reply handle(String path, Map<String, List<String>> headers, String body) {
        var lower = new TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) lower.putAll(headers);
        var problem = signature.problem(first(lower, SlackSignature.TIMESTAMP_HEADER), first(lower, SlackSignature.SIGNATURE_HEADER), body);
        if (problem.isPresent()) {
            LOG.warn("refused a request to {}: {}", path, problem.get());
            return new Reply(401, Map.of("Content-Type", "application/json"), "{\"error\":\"invalid request signature\"}");
        }
        try {
            var request = parser.parse(SlackRequestParser.HttpRequest.builder().requestUri(path).requestBody(body)
                    .headers(new RequestHeaders(Map.copyOf(lowerCase(lower)))).queryString(Map.of()).build());
            if (request == null) return new Reply(404, Map.of("Content-Type", "application/json"), "{\"error\":\"not a Slack request\"}");
            var response = app.run(request);
            var out = new java.util.LinkedHashMap<String, String>();
            response.getHeaders().forEach((k, v) -> { if (!v.isEmpty()) out.put(k, v.get(0)); });
            if (response.getContentType() != null) out.put("Content-Type", response.getContentType());
            return new Reply(response.getStatusCode(), out, response.getBody() == null ? "" : response.getBody());
        } catch (Exception e) {
            LOG.error("the Slack request failed: {}", e.getClass().getSimpleName());
            return new Reply(500, Map.of("Content-Type", "application/json"), "{\"error\":\"internal error\"}");
        }
    }

    /**
     * Warms what a request goes through without touching the network (SnapStart priming): the
     * signature check (refusing an unsigned request), Bolt's parser on a synthetic slash command,
     * the grammar and the Block Kit serialization.
     *
     * @return the status of the refused synthetic request (401)
     */
    int prime() {
        var refused = handle("/slack/events", Map.of("X-Slack-Request-Timestamp", List.of("0"), "X-Slack-Signature", List.of("v0=00")),
                "command=%2Finfra&text=status");
        var body = "team_id=T0&channel_id=C0&user_id=U0&command=%2Finfra&text=help&trigger_id=prime";
        parser.parse(SlackRequestParser.HttpRequest.builder().requestUri("/slack/events").requestBody(body)
                .headers(new RequestHeaders(Map.of("content-type", List.of("application/x-www-form-urlencoded")))).queryString(Map.of()).build());
        try {
            InfraCommand.parse("apply prod --stage network", List.of("prod"));
        } catch (InfraCommand.UsageException ignored) {
            // not expected; priming must never fail the snapshot
        }
        json(BlockKit.message("usage", InfraService.usage(null)));
        return refused.status();
    }

    private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
        var out = new java.util.HashMap<String, List<String>>();
        headers.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return out;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        var values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    static String json(Object value) {
        return JSON.toJson(value);
    }

    /** Groups of a user through {@code usergroups.list} with users included; empty when it fails. */
    static Set<String> groups(com.slack.api.methods.MethodsClient client, String user) {
        try {
            var groups = new HashSet<String>();
            var list = client.usergroupsList(r -> r.includeUsers(true));
            if (list.getUsergroups() != null) for (var g : list.getUsergroups()) if (g.getUsers() != null && g.getUsers().contains(user)) groups.add(g.getId());
            return groups;
        } catch (Exception e) {
            LOG.warn("cannot read Slack user groups: {}", e.getClass().getSimpleName());
            return Set.of();
        }
    }
}
