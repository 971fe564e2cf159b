import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.functions.GitWebhookFunction;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.UUID;

/**
 * Warm webhook deliveries that are not duplicates: one function instance (a warm container)
 * handles N deliveries of the signed push, each with a new delivery id, so each one is verified,
 * recorded, fetched (nothing new to download), compared over every infrastructure and launched
 * (the deterministic name finds the execution the first one started). Run by
 * bench/webhook-cold-start.sh with the function's jar on the class path:
 * {@code java -cp cairn-functions.jar bench/WebhookWarm.java EVENT N}. Prints JSON.
 */
public class WebhookWarm {
    public static void main(String[] args) throws Exception {
        var mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        var template = (ObjectNode) mapper.readTree(Files.readString(Path.of(args[0])));
        int n = Integer.parseInt(args[1]);
        var function = new GitWebhookFunction(new HashMap<>(System.getenv()));
        var millis = new double[n];
        int status = 0;
        for (int i = 0; i < n + 3; i++) {
            ((ObjectNode) template.get("headers")).put("x-github-delivery", UUID.randomUUID().toString());
            var event = mapper.treeToValue(template, APIGatewayV2HTTPEvent.class);
            long start = System.nanoTime();
            var response = function.handleRequest(event, null);
            double ms = (System.nanoTime() - start) / 1e6;
            status = response.getStatusCode();
            if (status >= 300 && status != 202) throw new IllegalStateException("status " + status + ": " + response.getBody());
            if (i >= 3) millis[i - 3] = ms; // the first three warm the JIT, as a container's first requests do
        }
        Arrays.sort(millis);
        System.out.printf("{\"warm_new_delivery_ms\": {\"n\": %d, \"p50\": %.1f, \"p90\": %.1f, \"max\": %.1f}, \"status\": %d}%n",
                n, millis[n / 2], millis[(int) Math.ceil(n * 0.9) - 1], millis[n - 1], status);
    }
}
