package dev.cairn.cli.invoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import java.util.Map;

/** A test handler that fails, to see how cairn invoke reports a handler that throws. */
public final class ThrowingFunction implements RequestHandler<Map<String, Object>, String> {
    public ThrowingFunction(Map<String, String> env) {
    }

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        throw new IllegalStateException("the repository cannot be fetched",
                new java.io.IOException("https://git.example/infra.git: not found", new java.net.UnknownHostException("git.example")));
    }
}
