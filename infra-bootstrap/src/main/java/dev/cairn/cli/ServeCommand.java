package dev.cairn.cli;

import dev.cairn.cli.serve.LocalServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cairn serve REPO}: the webhook, the Slack app and the reconcile state machine of
 * {@code template.yaml} on this machine ({@link LocalServer}); runs until SIGTERM or Ctrl-C, which
 * stop it gracefully. See docs/serve.md.
 */
@Command(name = "serve", description = "Serve the git webhooks, the Slack app and a status page on localhost; runs execute template.yaml's state machine on the local executor (no AWS account).")
final class ServeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REPO", description = "The infrastructure repository: the root of a git work tree with cairn.yaml (webhooks point at it as file://REPO).")
    Path repo;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8080", description = "Port on 127.0.0.1 (0: any free port; default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where runs, locks, outputs, approvals and execution histories are kept (default: $CAIRN_STATE_DIR, else REPO/.cairn).")
    Path stateDir;

    @Option(names = "--template", paramLabel = "PATH", defaultValue = "template.yaml", description = "Cairn's SAM template, whose functions and state machine are served (default: ${DEFAULT-VALUE}).")
    Path template;

    @Option(names = "--slack-stub", description = "Answer the Slack app's Web API calls here (/slack-api/; what the bot would post is logged), to drive Slack with bin/signed-curl and no workspace.")
    boolean slackStub;

    @Spec
    CommandSpec spec;

    /** What the user exported; tests give their own. */
    Map<String, String> processEnv = System.getenv();

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var dir = stateDir != null ? stateDir
                : processEnv.get("CAIRN_STATE_DIR") != null && !processEnv.get("CAIRN_STATE_DIR").isBlank() ? Path.of(processEnv.get("CAIRN_STATE_DIR"))
                : repo.toAbsolutePath().resolve(".cairn");
        var server = LocalServer.start(new LocalServer.Options(repo, template, dir, port, processEnv, new PrintWriter(System.err, true), slackStub));
        var hook = new Thread(server::stop, "cairn-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        var url = server.url();
        out.println("cairn serve: " + url + "  (repository " + server.repository().describe() + ", state " + server.stateDir() + ")");
        out.println("  POST " + url + "webhooks/github   POST " + url + "webhooks/gitlab   POST " + url + "slack/events   GET " + url);
        out.println("  definition " + server.definition().file() + "; Ctrl-C stops (running stages are recorded failed, locks released)");
        out.flush();
        err.flush();
        server.join();
        return Cairn.OK;
    }
}
