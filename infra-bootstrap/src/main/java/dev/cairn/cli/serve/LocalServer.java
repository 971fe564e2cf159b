package dev.cairn.cli.serve;

import dev.cairn.chatops.ChatopsWiring;
import dev.cairn.chatops.SlackServlet;
import dev.cairn.cli.invoke.SamTemplate;
import dev.cairn.reconciler.approval.local.LocalRunResumer;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.run.Workspace;
import dev.cairn.statemachine.ExecutionOptions;
import dev.cairn.statemachine.Executions;
import dev.cairn.statemachine.LocalExecutions;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code cairn serve}: the serverless flow of {@code template.yaml} on one machine, with no AWS
 * account. An embedded Jetty (ee10) on 127.0.0.1 serves {@code POST /webhooks/github|gitlab}
 * (the real {@code GitWebhookFunction}), {@code POST /slack/events} (the real Slack app through
 * {@link SlackServlet}), {@code GET /} (the status page), {@code GET /runs/INFRA/RUN} (one run and
 * its stage logs, {@link RunPage}: the page the preview comments link unless {@code CAIRN_RUN_URL}
 * is exported; RUN may also be the name of the execution that made it) and {@code GET /healthz}; every run is an
 * execution of the template's own state machine definition on the local ASL executor
 * ({@link LocalExecutions}), whose tasks run the template's handlers in-process and
 * {@code cairn stage} as child processes. All state lives in the state dir (the local stores).
 */
public final class LocalServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalServer.class);
    static final String WEBHOOK_HANDLER = "dev.cairn.functions.GitWebhookFunction";
    static final String SLACK_HANDLER = "dev.cairn.chatops.SlackFunction";
    static final String SLACK_API_URL = "CAIRN_SLACK_API_URL";
    static final String SLACK_BOT_TOKEN = "CAIRN_SLACK_BOT_TOKEN";
    /** The bot token {@code --slack-stub} gives the functions when none is exported (the stub accepts any). */
    static final String STUB_BOT_TOKEN = "xoxb-local-stub";

    /**
     * @param port       0 for any free port
     * @param processEnv what the user exported (the webhook and Slack secrets, {@code CAIRN_SLACK_API_URL})
     * @param log        where the handlers' and the builds' messages go (standard error)
     * @param slackStub  serve a stand-in for Slack's Web API at {@code /slack-api/} ({@link SlackApiStub}) and point every
     *                   function at it (the Slack app, and the task function's run threads and preview messages)
     */
    public record Options(Path repo, Path template, Path stateDir, int port, Map<String, String> processEnv, Writer log, boolean slackStub) {
        public Options(Path repo, Path template, Path stateDir, int port, Map<String, String> processEnv, Writer log) {
            this(repo, template, stateDir, port, processEnv, log, false);
        }
    }

    private final Server jetty;
    private final Executions executions;
    private final ScheduledExecutorService pollers;
    private final ReconcileDefinition definition;
    private final ServedRepository repo;
    private final Path stateDir;
    private final ServerLock serverLock;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private LocalServer(Server jetty, Executions executions, ScheduledExecutorService pollers, ReconcileDefinition definition,
                        ServedRepository repo, Path stateDir, ServerLock serverLock) {
        this.serverLock = serverLock;
        this.jetty = jetty;
        this.executions = executions;
        this.pollers = pollers;
        this.definition = definition;
        this.repo = repo;
        this.stateDir = stateDir;
    }

    public static LocalServer start(Options options) throws Exception {
        // the port is bound first: the handlers' environment links the runs' pages on it (CAIRN_RUN_URL)
        var jetty = new Server();
        var connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(options.port());
        jetty.addConnector(connector);
        connector.open();
        try {
            return start(options, jetty, connector);
        } catch (Exception | Error e) {
            if (!jetty.isRunning()) connector.close();
            throw e;
        }
    }

    private static LocalServer start(Options options, Server jetty, ServerConnector connector) throws Exception {
        var repo = ServedRepository.check(options.repo());
        var stateDir = options.stateDir().toAbsolutePath().normalize();
        var template = SamTemplate.load(options.template());
        var serveEnv = new LinkedHashMap<String, String>();
        serveEnv.put("CAIRN_STATE_DIR", stateDir.toString());
        serveEnv.put("CAIRN_GIT_CACHE_DIR", stateDir.resolve("cache").resolve("serve-git").toString());
        serveEnv.put("CAIRN_REPO_DIR", repo.root().toString());
        serveEnv.put("CAIRN_REPO_URL", repo.url());
        serveEnv.put("CAIRN_REPO_PATH", repo.path().value());
        var runUrl = options.processEnv().get(dev.cairn.functions.pr.RunLinks.RUN_URL);
        if (runUrl == null || runUrl.isBlank()) {
            serveEnv.put(dev.cairn.functions.pr.RunLinks.RUN_URL, "http://127.0.0.1:" + connector.getLocalPort() + RunPage.PATH + "{infrastructure}/{run}");
        }
        // --slack-stub: every function's Slack Web API is this server's /slack-api/ (the Slack app's, and the task
        // function's run threads and preview messages), with a stand-in bot token unless one is exported
        var slackStubUrl = "http://127.0.0.1:" + connector.getLocalPort() + SlackApiStub.PATH;
        if (options.slackStub()) {
            serveEnv.put(SLACK_API_URL, slackStubUrl);
            if (blank(options.processEnv().get(SLACK_BOT_TOKEN))) serveEnv.put(SLACK_BOT_TOKEN, STUB_BOT_TOKEN);
        }
        var functions = new LocalFunctions(template, Map.of("RepoUrl", repo.url(), "RepoPath", repo.path().value()), options.processEnv(), serveEnv);
        var definition = ReconcileDefinition.load(functions);
        var taskFunction = functions.functionOf(definition.substitutions().get("TaskFunctionArn")).orElseThrow(() -> invalid(template,
                "DefinitionSubstitutions TaskFunctionArn of " + definition.logicalId() + " names no function of the template"));
        var project = definition.substitutions().get("BuildProjectName");
        if (project == null) throw invalid(template, "DefinitionSubstitutions of " + definition.logicalId() + " has no BuildProjectName");
        var webhookFunction = handlerFunction(template, WEBHOOK_HANDLER);
        var slackFunction = handlerFunction(template, SLACK_HANDLER);

        var workspace = new Workspace(stateDir);
        var log = options.log();
        var journal = new ExecutionJournal(stateDir, workspace.locks());
        var endings = new ExecutionEndings(functions, taskFunction, workspace.locks(), workspace.runs(), log);
        Executions.Listener listener = (execution, event) -> {
            journal.event(execution, event);
            endings.event(execution, event);
        };
        var lambda = new LambdaInvokeIntegration(functions, log);
        var integrations = Map.of(
                LambdaInvokeIntegration.RESOURCE, lambda,
                LambdaInvokeIntegration.WAIT_FOR_TOKEN, lambda,
                StageBuildIntegration.RESOURCE, new StageBuildIntegration(project, stateDir, System.getenv()));
        var executions = new LocalExecutions(definition.machine(), integrations, listener,
                ExecutionOptions.defaults().withMachineName(LocalFunctions.STACK + "-reconcile"));
        ServerLock serverLock;
        try {
            serverLock = ServerLock.take(stateDir);
        } catch (IOException | RuntimeException e) {
            executions.close();
            throw e;
        }
        try {
            var prefix = executions.executionArn("");
            for (var infra : lockedInfrastructures(stateDir)) {
                workspace.locks().owner(infra).filter(o -> o.executionArn() != null && o.executionArn().startsWith(prefix))
                        .ifPresent(o -> endings.recover(infra, o.executionArn(), "cairn serve stopped without shutting down while the run was running"));
            }
        } catch (IOException | RuntimeException e) {
            executions.close();
            serverLock.close();
            throw e;
        }
        var launcher = new ExecutorRunLauncher(executions);
        var queue = new QueueDrain(stateDir.resolve("queue"), launcher);
        var answers = new ApprovalAnswers(executions.tokens(), new LocalRunResumer(stateDir.resolve("approvals").resolve("answers")));

        var context = new ServletContextHandler();
        context.setContextPath("/");
        var webhook = new WebhookServlet(functions, webhookFunction, log, queue::drain);
        context.addServlet(new ServletHolder("webhook", webhook), "/webhooks/github");
        context.addServlet(new ServletHolder("webhook-gitlab", webhook), "/webhooks/gitlab");
        // built once the port is known: with --slack-stub the Slack app's Web API is this server's /slack-api/
        var slack = new Deferred();
        context.addServlet(new ServletHolder("slack", slack), "/slack/events");
        if (options.slackStub()) context.addServlet(new ServletHolder("slack-api", new SlackApiStub(log)), SlackApiStub.PATH + "*");
        var healthz = new Healthz();
        context.addServlet(new ServletHolder("healthz", healthz), "/healthz");
        context.addServlet(new ServletHolder("status", new StatusPage(repo.folder(), repo.describe(), workspace, executions)), "/");
        context.addServlet(new ServletHolder("runs", new RunPage(workspace, journal)), RunPage.PATH + "*");
        context.setErrorHandler(new RefusedPaths.Context());
        jetty.setErrorHandler(new RefusedPaths.Server());
        jetty.setHandler(context);
        jetty.setStopTimeout(5_000);
        var pollers = Executors.newSingleThreadScheduledExecutor(r -> {
            var thread = new Thread(r, "cairn-serve-pollers");
            thread.setDaemon(true);
            return thread;
        });
        var server = new LocalServer(jetty, executions, pollers, definition, repo, stateDir, serverLock);
        try {
            jetty.start();
        } catch (Exception e) {
            executions.close();
            serverLock.close();
            throw e;
        }
        try {
            var slackEnv = new LinkedHashMap<>(options.processEnv());
            if (options.slackStub()) {
                slackEnv.put(SLACK_API_URL, slackStubUrl);
                if (blank(slackEnv.get(SLACK_BOT_TOKEN))) slackEnv.put(SLACK_BOT_TOKEN, STUB_BOT_TOKEN);
            }
            slack.delegate = slack(functions, slackFunction, slackEnv, launcher);
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
        healthz.ready = true;
        pollers.scheduleWithFixedDelay(() -> guarded("approval answers", answers::poll), 500, 500, TimeUnit.MILLISECONDS);
        pollers.scheduleWithFixedDelay(() -> guarded("the run queue", queue::drain), 0, 2, TimeUnit.SECONDS);
        return server;
    }

    /** The infrastructures with a lock file in the state dir. */
    private static java.util.List<String> lockedInfrastructures(Path stateDir) throws IOException {
        var dir = stateDir.resolve("locks");
        if (!java.nio.file.Files.isDirectory(dir)) return java.util.List.of();
        try (var files = java.nio.file.Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".lock")).map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
    }

    private static void guarded(String what, Runnable poll) {
        try {
            poll.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: {}", what, e.getMessage());
        }
    }

    private static HttpServlet slack(LocalFunctions functions, String slackFunction, Map<String, String> processEnv,
                                     ExecutorRunLauncher launcher) {
        var missing = new java.util.ArrayList<String>();
        for (var variable : new String[]{"CAIRN_SLACK_SIGNING_SECRET", "CAIRN_SLACK_BOT_TOKEN"}) {
            if (processEnv.get(variable) == null || processEnv.get(variable).isBlank()) missing.add(variable);
        }
        if (!missing.isEmpty()) {
            LOG.info("POST /slack/events answers 503: export {} to serve the Slack app", String.join(" and ", missing));
            return new NotConfigured("the Slack app is not configured: export " + String.join(" and ", missing) + " before `cairn serve`");
        }
        var env = new LinkedHashMap<>(functions.environment(slackFunction));
        for (var variable : new String[]{"CAIRN_SLACK_API_URL", "CAIRN_SLACK_BOT_TOKEN", "CAIRN_SLACK_SIGNING_SECRET"}) {
            if (processEnv.get(variable) != null) env.put(variable, processEnv.get(variable));
        }
        return new SlackServlet(ChatopsWiring.app(env, launcher, Clock.systemUTC()));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String handlerFunction(SamTemplate template, String handlerClass) {
        for (var id : template.functionIds()) {
            if (template.function(id).handler().startsWith(handlerClass + "::") || template.function(id).handler().equals(handlerClass)) return id;
        }
        throw invalid(template, "the template has no function with the handler " + handlerClass);
    }

    private static InvalidInputException invalid(SamTemplate template, String message) {
        return new InvalidInputException(new Diagnostic(Location.file(template.file()), "serve-template", message,
                "cairn serve runs Cairn's own template.yaml (--template PATH)"));
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port() + "/");
    }

    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    public Executions executions() {
        return executions;
    }

    public ReconcileDefinition definition() {
        return definition;
    }

    public ServedRepository repository() {
        return repo;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Blocks until {@link #stop()}. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /**
     * Graceful shutdown: no new requests; every running execution is stopped (its build processes
     * killed, its stages in progress recorded failed, its run finished and its lock released by the
     * task function); then the pollers end. Idempotent.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) return;
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("the HTTP server did not stop cleanly: {}", e.getMessage());
        }
        executions.close();
        pollers.shutdownNow();
        serverLock.close();
    }

    @Override
    public void close() {
        stop();
    }

    /** 200 once every route is ready (the Slack app is built just after the port opens), 503 before. */
    private static final class Healthz extends HttpServlet {
        volatile boolean ready;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(ready ? 200 : 503);
            response.setContentType("application/json");
            response.getOutputStream().write((ready ? "{\"status\":\"ok\"}" : "{\"status\":\"starting\"}").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The Slack route, answered 503 until the app is built (just after the server starts). */
    private static final class Deferred extends HttpServlet {
        volatile HttpServlet delegate;

        @Override
        public void service(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse response)
                throws jakarta.servlet.ServletException, IOException {
            var target = delegate;
            if (target == null) {
                ((HttpServletResponse) response).sendError(503);
                return;
            }
            target.service(request, response);
        }
    }

    private static final class NotConfigured extends HttpServlet {
        private final String message;

        NotConfigured(String message) {
            this.message = message;
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(503);
            response.setContentType("application/json");
            response.getOutputStream().write(("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
        }
    }
}
