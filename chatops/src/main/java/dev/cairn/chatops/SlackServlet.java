package dev.cairn.chatops;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;

/**
 * The Jakarta servlet adapter (localhost, {@code cairn serve}): the same {@link SlackApp} as the
 * Lambda function. The body is read up to {@link SlackSignature#MAX_BODY_BYTES} + 1 bytes, never more.
 */
public final class SlackServlet extends HttpServlet {
    private final transient SlackApp app;

    public SlackServlet(SlackApp app) {
        this.app = app;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        var bytes = request.getInputStream().readNBytes(SlackSignature.MAX_BODY_BYTES + 1);
        var headers = new HashMap<String, List<String>>();
        for (var name : Collections.list(request.getHeaderNames())) headers.put(name, Collections.list(request.getHeaders(name)));
        var reply = app.handle(request.getRequestURI(), headers, new String(bytes, StandardCharsets.UTF_8));
        response.setStatus(reply.status());
        reply.headers().forEach(response::setHeader);
        response.getOutputStream().write(reply.body().getBytes(StandardCharsets.UTF_8));
    }
}
