package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cairn.cli.invoke.HandlerInvoker;
import dev.cairn.reconciler.manifest.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collections;
import java.util.Locale;
import java.util.UUID;

/**
 * {@code POST /webhooks/github} and {@code POST /webhooks/gitlab}: the HTTP request as the API
 * Gateway HTTP API (payload format 2.0) event the deployed route hands the function (lower-case
 * headers, repeated ones joined by commas, the raw body, base64 when it is not UTF-8 text), given
 * to the real {@code GitWebhookFunction} handler in-process; its status, headers and body are the
 * reply, verbatim. The body is read up to the function's limit plus one byte, never more, so an
 * oversized delivery is answered 413 by the function itself. After each request {@code afterEach}
 * runs (serve starts the runs the function recorded).
 */
final class WebhookServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookServlet.class);
    static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final DateTimeFormatter API_GATEWAY_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    private final transient LocalFunctions functions;
    private final String function;
    private final transient Writer log;
    private final transient Runnable afterEach;

    WebhookServlet(LocalFunctions functions, String function, Writer log, Runnable afterEach) {
        this.functions = functions;
        this.function = function;
        this.log = log;
        this.afterEach = afterEach;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        var bytes = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        var event = JsonNodeFactory.instance.objectNode();
        var path = request.getRequestURI();
        event.put("version", "2.0");
        event.put("routeKey", "POST " + path);
        event.put("rawPath", path);
        event.put("rawQueryString", request.getQueryString() == null ? "" : request.getQueryString());
        var headers = event.putObject("headers");
        for (var name : Collections.list(request.getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), String.join(",", Collections.list(request.getHeaders(name))));
        }
        var context = event.putObject("requestContext");
        context.put("accountId", LocalFunctions.ACCOUNT);
        context.put("apiId", "local");
        context.put("domainName", request.getServerName());
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", "POST " + path);
        context.put("stage", "$default");
        var now = ZonedDateTime.now(ZoneOffset.UTC);
        context.put("time", API_GATEWAY_TIME.format(now));
        context.put("timeEpoch", now.toInstant().toEpochMilli());
        var http = context.putObject("http");
        http.put("method", request.getMethod());
        http.put("path", path);
        http.put("protocol", request.getProtocol());
        http.put("sourceIp", request.getRemoteAddr());
        http.put("userAgent", request.getHeader("User-Agent") == null ? "" : request.getHeader("User-Agent"));
        var text = utf8(bytes);
        event.put("body", text != null ? text : Base64.getEncoder().encodeToString(bytes));
        event.put("isBase64Encoded", text == null);
        try {
            var reply = Json.MAPPER.readTree(functions.invoke(function, Json.MAPPER.writeValueAsBytes(event), log));
            response.setStatus(reply.path("statusCode").asInt(500));
            reply.path("headers").properties().forEach(h -> response.setHeader(h.getKey(), h.getValue().asText()));
            var body = reply.path("body").asText("");
            response.getOutputStream().write(reply.path("isBase64Encoded").asBoolean(false)
                    ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8));
        } catch (HandlerInvoker.HandlerFailedException e) {
            // API Gateway answers a function error 500 {"message":"Internal Server Error"}
            LOG.error("{} threw {}", function, e.getMessage());
            response.setStatus(500);
            response.setContentType("application/json");
            response.getOutputStream().write("{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
        } finally {
            afterEach.run();
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notText) {
            return null;
        }
    }
}
