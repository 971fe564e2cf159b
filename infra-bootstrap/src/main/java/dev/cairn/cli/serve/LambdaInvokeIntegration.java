package dev.cairn.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cairn.cli.invoke.HandlerInvoker;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.statemachine.TaskCall;
import dev.cairn.statemachine.TaskFailure;
import dev.cairn.statemachine.TaskIntegration;

import java.io.IOException;
import java.io.Writer;

/**
 * {@code arn:aws:states:::lambda:invoke} (and {@code .waitForTaskToken}): the function the
 * {@code FunctionName} parameter names, run in-process with its {@code Payload}. The result is
 * shaped as Step Functions' optimized integration returns it ({@code {"Payload": ...,
 * "StatusCode": 200, "ExecutedVersion": "$LATEST"}}). A handler that throws fails the task the way
 * Lambda reports it: the error is the exception's class name ({@code errorType}; for Java the
 * fully qualified name), the cause Lambda's JSON ({@code errorMessage}, {@code errorType}). A name
 * that is not a function of the template is {@code Lambda.ResourceNotFoundException}.
 */
final class LambdaInvokeIntegration implements TaskIntegration {
    static final String RESOURCE = "arn:aws:states:::lambda:invoke";
    static final String WAIT_FOR_TOKEN = RESOURCE + ".waitForTaskToken";

    private final LocalFunctions functions;
    private final Writer log;

    LambdaInvokeIntegration(LocalFunctions functions, Writer log) {
        this.functions = functions;
        this.log = log;
    }

    @Override
    public JsonNode run(TaskCall call) throws TaskFailure {
        var name = call.parameters().path("FunctionName").asText(null);
        var function = functions.functionOf(name).orElseThrow(() -> new TaskFailure("Lambda.ResourceNotFoundException",
                "Function not found: " + name + " (cairn serve runs the functions of " + functions.template().file().getFileName() + ")"));
        var payload = call.parameters().has("Payload") ? call.parameters().get("Payload") : JsonNodeFactory.instance.objectNode();
        byte[] response;
        try {
            response = functions.invoke(function, Json.MAPPER.writeValueAsBytes(payload), log);
        } catch (HandlerInvoker.HandlerFailedException e) {
            throw failure(e.getCause());
        } catch (HandlerInvoker.LoadException | HandlerInvoker.EventException e) {
            throw new TaskFailure("Lambda.ServiceException", e.getMessage());
        } catch (IOException e) {
            throw new TaskFailure("Lambda.InvalidRequestContentException", e.getMessage());
        }
        var result = JsonNodeFactory.instance.objectNode();
        try {
            result.set("Payload", response.length == 0 ? JsonNodeFactory.instance.nullNode() : Json.MAPPER.readTree(response));
        } catch (IOException notJson) {
            throw new TaskFailure("Lambda.InvalidResponseContentException", "the function's response is not JSON");
        }
        result.put("StatusCode", 200);
        result.put("ExecutedVersion", "$LATEST");
        return result;
    }

    private static TaskFailure failure(Throwable thrown) {
        var type = thrown.getClass().getName();
        var cause = JsonNodeFactory.instance.objectNode();
        cause.put("errorMessage", thrown.getMessage() == null ? "" : thrown.getMessage());
        cause.put("errorType", type);
        return new TaskFailure(type, cause.toString());
    }
}
