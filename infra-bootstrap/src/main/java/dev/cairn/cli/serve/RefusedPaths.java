package dev.cairn.cli.serve;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A GET Jetty refuses as a bad or ambiguous URI ({@code ..} above the root, an encoded slash or
 * dot segment, a NUL: answered 400 before any servlet sees it) is answered 404 "no such page", as
 * every other path that names no page is; so is a request line the parser cannot read at all
 * (which Jetty reports as method {@code BAD}). Other errors are Jetty's. One for the server (what
 * the connector refuses), one for the servlet context (what the servlet layer refuses).
 */
final class RefusedPaths {
    static final String MESSAGE = "no such page: runs are at /runs/INFRA/RUN and their stage logs at /runs/INFRA/RUN/STAGE.log\n";

    private RefusedPaths() {
    }

    private static boolean notFound(Request request, Response response, int code, Callback callback) {
        // a request line the parser refuses (a path above the root, a NUL) has no method yet: Jetty names it BAD
        if (code != 400 || !(HttpMethod.GET.is(request.getMethod()) || "BAD".equals(request.getMethod()))) return false;
        response.setStatus(404);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        response.write(true, ByteBuffer.wrap(MESSAGE.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    static final class Server extends org.eclipse.jetty.server.handler.ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
                throws IOException {
            if (!notFound(request, response, code, callback)) super.generateResponse(request, response, code, message, cause, callback);
        }
    }

    static final class Context extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
                throws IOException {
            if (!notFound(request, response, code, callback)) super.generateResponse(request, response, code, message, cause, callback);
        }
    }
}
