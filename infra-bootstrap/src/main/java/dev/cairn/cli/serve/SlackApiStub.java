package dev.cairn.cli.serve;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code cairn serve --slack-stub}: a stand-in for Slack's Web API at {@code /slack-api/METHOD},
 * for driving the Slack app with signed requests and no Slack workspace. It answers every method
 * {@code ok} (what {@code auth.test}, {@code chat.postMessage}, {@code chat.postEphemeral},
 * {@code chat.update} and {@code usergroups.list} need) and writes what the bot would have said to
 * the serve log (standard error, where the handlers' messages go): one line per call with a text,
 * {@code slack-stub METHOD to CHANNEL: TEXT} (the method, the channel and the message text; never
 * the token). Both the Slack app and the task function's run threads and preview messages post here.
 */
final class SlackApiStub extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(SlackApiStub.class);
    static final String PATH = "/slack-api/";
    static final int MAX_BODY_BYTES = 256 * 1024;

    private final transient Writer log;

    SlackApiStub(Writer log) {
        this.log = log;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        var method = request.getRequestURI().substring(request.getRequestURI().indexOf(PATH) + PATH.length());
        var form = form(new String(request.getInputStream().readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8));
        if (form.containsKey("text")) say(method, form.getOrDefault("channel", "-"), form.get("text"));
        var answer = switch (method) {
            case "auth.test" -> "{\"ok\":true,\"url\":\"https://local.slack.invalid/\",\"team\":\"local\",\"user\":\"cairn\","
                    + "\"team_id\":\"T0LOCAL\",\"user_id\":\"U0CAIRN\",\"bot_id\":\"B0CAIRN\"}";
            case "usergroups.list" -> "{\"ok\":true,\"usergroups\":[]}";
            case "usergroups.users.list" -> "{\"ok\":true,\"users\":[]}";
            default -> "{\"ok\":true,\"channel\":\"" + json(form.getOrDefault("channel", "C0LOCAL")) + "\",\"ts\":\""
                    + System.currentTimeMillis() / 1000 + ".000100\"}";
        };
        response.setContentType("application/json");
        response.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
    }

    private void say(String method, String channel, String text) {
        var line = "slack-stub " + printable(method) + " to " + printable(channel) + ": " + text.replace("\r", "").replace("\n", "\n    ") + "\n";
        try {
            synchronized (log) {
                log.write(line);
                log.flush();
            }
        } catch (IOException e) {
            LOG.warn("cannot write the Slack stub's log: {}", e.getMessage());
        }
    }

    private static String printable(String name) {
        return name.replaceAll("[^A-Za-z0-9._#@-]", "?");
    }

    private static Map<String, String> form(String body) {
        var values = new LinkedHashMap<String, String>();
        for (var pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            var key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static String json(String text) {
        return text.replaceAll("[^A-Za-z0-9_-]", "");
    }
}
