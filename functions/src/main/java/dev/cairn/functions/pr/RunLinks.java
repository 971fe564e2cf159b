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

    /**
     * A preview's PR/MR page, from its trigger's label ({@code acme/infra#7}, {@code group/proj!7})
     * and the forge's API base ({@link PreviewWiring#GITHUB_API_URL}, {@link PreviewWiring#GITLAB_API_URL};
     * GitHub Enterprise's {@code https://HOST/api/v3} and GitLab's {@code https://HOST/api/v4} give
     * {@code https://HOST}); empty for another run. No API call: the web URL follows from the label.
     */
    public static Optional<String> pullRequest(Map<String, String> env, Run run) {
        var label = dev.cairn.reconciler.preview.Previews.pullRequest(run.trigger());
        if (label == null) return Optional.empty();
        var source = run.trigger().substring(0, run.trigger().indexOf(':'));
        var github = source.equals("github") && label.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#\\d+");
        var gitlab = source.equals("gitlab") && label.matches("[A-Za-z0-9_./-]+![0-9]+");
        if (!github && !gitlab) return Optional.empty();
        var api = env.get(github ? PreviewWiring.GITHUB_API_URL : PreviewWiring.GITLAB_API_URL);
        String web;
        if (api == null || api.isBlank()) web = github ? "https://github.com" : "https://gitlab.com";
        else web = api.strip().replaceAll("/+$", "").replaceFirst(github ? "/api/v3$" : "/api/v4$", "");
        if (github && web.equals("https://api.github.com")) web = "https://github.com";
        var at = label.lastIndexOf(github ? '#' : '!');
        return Optional.of(web + "/" + label.substring(0, at) + (github ? "/pull/" : "/-/merge_requests/") + label.substring(at + 1));
    }
}
