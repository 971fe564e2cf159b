package dev.cairn.cli;

import dev.cairn.reconciler.run.Confirmation;
import dev.cairn.reconciler.run.Reconciler;
import dev.cairn.reconciler.run.Run;
import dev.cairn.reconciler.run.RunAction;
import dev.cairn.reconciler.run.RunStatus;
import dev.cairn.reconciler.run.StageStatus;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** plan, apply and destroy: run the stages of one infrastructure. */
abstract class RunCommand extends RepoCommand {
    @Option(names = "--infra", required = true, paramLabel = "NAME", description = "The infrastructure to reconcile.")
    String infra;

    @Option(names = "--parallelism", paramLabel = "N", description = "Stages run at once (default: cairn.yaml terraform.parallelism, else "
            + dev.cairn.reconciler.manifest.RepoConfig.Terraform.DEFAULT_PARALLELISM + ").")
    Integer parallelism;

    abstract RunAction action();

    boolean autoApprove() {
        return false;
    }

    @Override
    public Integer call() {
        var loaded = loadRepo(infra);
        var reconciler = reconciler(loaded);
        var terminal = terminal();
        var view = common.json() ? null : new ProgressView(out(), terminal);
        var printer = new RunPrinter(common.json() ? err() : out(), terminal);
        Confirmation confirmation = autoApprove() ? Confirmation.AUTO : (planned, stages) -> {
            // a later question: something was confirmed or applied before these plans were made
            boolean later = planned.stages().values().stream().anyMatch(r -> r.confirmation() != null
                    || r.status() == StageStatus.APPLIED || r.status() == StageStatus.DESTROYED);
            printer.printPlan(planned, stages);
            var what = later ? " (planned after their upstream stages applied: " + String.join(", ", stages) + ")" : "";
            boolean yes = ask(action() == RunAction.DESTROY
                    ? "Destroy everything above in `" + infra + "`" + what + "? There is no undo. Only 'yes' will be accepted: "
                    : "Apply these changes to `" + infra + "`" + what + "? Only 'yes' will be accepted: ");
            if (yes && view != null) view.resume();
            return yes;
        };
        int configured = loaded.config().terraform().parallelismOrDefault();
        var options = new Reconciler.Options("cli:" + System.getProperty("user.name"), parallelism != null ? parallelism : configured,
                action() == RunAction.PLAN ? null : confirmation, view, revision(loaded.root()));
        Run run = switch (action()) {
            case PLAN -> reconciler.plan(infra, options);
            case APPLY -> reconciler.apply(infra, options);
            case DESTROY -> reconciler.destroy(infra, options);
        };
        if (common.json()) {
            printJson(run);
        } else {
            if (action() == RunAction.PLAN && run.status() == RunStatus.SUCCEEDED) printer.printPlan(run);
            printer.printSummary(run, common.workspace(repo));
        }
        return run.status() == RunStatus.SUCCEEDED ? Cairn.OK : Cairn.RUN_FAILED;
    }

    /** The commit the repo's work tree is at, with {@code -dirty} when it has changes; null outside git. */
    static String revision(java.nio.file.Path repo) {
        var builder = new org.eclipse.jgit.storage.file.FileRepositoryBuilder().findGitDir(repo.toFile());
        if (builder.getGitDir() == null) return null;
        try (var repository = builder.build(); var git = new org.eclipse.jgit.api.Git(repository)) {
            var head = repository.resolve("HEAD");
            if (head == null) return null;
            var status = git.status().call();
            boolean dirty = !status.getUncommittedChanges().isEmpty()
                    || status.getUntracked().stream().anyMatch(f -> !f.startsWith(".cairn/") && !f.contains("/.cairn/"));
            return head.name() + (dirty ? "-dirty" : "");
        } catch (Exception e) {
            return null;
        }
    }

    /** Standard input, read one answer a line; one reader for the whole run, so that no answer is read ahead and lost. */
    private BufferedReader stdin;

    private boolean ask(String question) {
        var prompt = common.json() ? err() : out();
        prompt.print(question);
        prompt.flush();
        try {
            if (stdin == null) stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            var line = stdin.readLine();
            if (line == null) {
                prompt.println();
                prompt.println("No answer on standard input; pass --yes to run without asking.");
                prompt.flush();
                return false;
            }
            if (!Terminal.isTerminal()) {
                prompt.println(line.trim());
                prompt.flush();
            }
            return line.trim().equals("yes");
        } catch (IOException e) {
            return false;
        }
    }
}
