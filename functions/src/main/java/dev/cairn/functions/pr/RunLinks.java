package dev.cairn.functions.pr;

import dev.cairn.reconciler.run.Run;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Where a person reads a run's full log, for the preview comments: the template
 * {@value #RUN_URL} with {@code {infrastructure}} and {@code {run}} (each URL-encoded), pointing at
 * any UI ({@code cairn serve} sets its own {@code /runs/{infrastructure}/{run}}); unset, the Step
 * Functions console page of the run's execution when the run record keeps its ARN (an AWS
 * execution); else none, and the comment names the CLI command instead. Only names and ids go
 * into a link, never a value of the run.
 */
public final class RunLinks {
    public static final String RUN_URL = "CAIRN_RUN_URL";
    /** No template: the console for AWS executions, else no link. */
    public static final RunLinks CONSOLE = new RunLinks(null);

    private final String template;

    public RunLinks(String template) {
        this.template = template == null || template.isBlank() ? null : template.strip();
    }

    public static RunLinks fromEnv(Map<String, String> env) {
        return new RunLinks(env.get(RUN_URL));
    }

    /** The page of {@code run}'s log, or empty when none is known. */
    public Optional<String> of(Run run) {
        if (template != null) {
            return Optional.of(template.replace("{infrastructure}", encode(run.infrastructure())).replace("{run}", encode(run.id())));
        }
        return console(run.executionArn());
    }

    /**
     * The Step Functions console page of an execution of the {@code aws} partition
     * ({@code arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME}); empty for another ARN (the
     * local executor's region is {@code local}, which no console serves).
     */
    static Optional<String> console(String executionArn) {
        if (executionArn == null) return Optional.empty();
        var parts = executionArn.split(":", 8);
        if (parts.length < 8 || !parts[0].equals("arn") || !parts[1].equals("aws") || !parts[2].equals("states")
                || !parts[5].equals("execution") || !parts[3].matches("[a-z]{2}(-[a-z]+)+-\\d")) return Optional.empty();
        var region = parts[3];
        return Optional.of("https://" + region + ".console.aws.amazon.com/states/home?region=" + region
                + "#/v2/executions/details/" + encode(executionArn).replace("%3A", ":"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
