package dev.cairn.chatops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.cairn.reconciler.diag.Suggestions;

/**
 * One parsed {@code /infra} command. The grammar, over tokens (whitespace-separated, double quotes
 * group):
 *
 * <pre>
 * command := "plan" INFRA (opts | pr) | "apply" INFRA opts | "destroy" INFRA opts
 *          | "status" [INFRA] | "history" INFRA | "outputs" INFRA opts
 *          | "approve" RUN [STAGE] | "reject" RUN [STAGE] [REASON...] | "cancel" RUN
 *          | "unlock" INFRA | "help" | (empty)
 * opts    := ("--stage" STAGE | "--stage=" STAGE)*
 * pr      := ("--pr" N | "--pr=" N)   N: 7, #7 or !7 (a pull request of GitHub, a merge request of GitLab)
 * RUN     := INFRA "/" RUN_ID   (as the run's thread shows it)
 * </pre>
 *
 * Infrastructure names are checked against the known ones with a did-you-mean.
 */
public record InfraCommand(Verb verb, String infrastructure, String run, String stage, String reason, Long pullRequest) {

    public InfraCommand(Verb verb, String infrastructure, String run, String stage, String reason) {
        this(verb, infrastructure, run, stage, reason, null);
    }

    public enum Verb {
        PLAN, APPLY, DESTROY, STATUS, HISTORY, OUTPUTS, APPROVE, REJECT, CANCEL, UNLOCK, HELP;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String USAGE = String.join("\n",
            "`/infra plan|apply|destroy INFRA [--stage S]` reconcile an infrastructure",
            "`/infra plan INFRA --pr N` preview pull request #N (merge request !N) as its webhook would: the plan goes to the PR",
            "`/infra status [INFRA]` last run, stages and lock",
            "`/infra history INFRA` recent runs",
            "`/infra outputs INFRA [--stage S]` outputs (sensitive ones masked)",
            "`/infra approve|reject INFRA/RUN [STAGE] [reason]` decide a waiting approval",
            "`/infra cancel INFRA/RUN` stop a run",
            "`/infra unlock INFRA` release a lock left by a run that is gone",
            "`/infra help` this text");

    /** A command that does not parse: what was wrong, with the usage. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }

    /** Parses {@code text} (what followed {@code /infra}); {@code infrastructures} are the known names. */
    public static InfraCommand parse(String text, Collection<String> infrastructures) {
        var tokens = new Tokens(tokenize(text == null ? "" : text));
        if (!tokens.more()) return new InfraCommand(Verb.HELP, null, null, null, null);
        var word = tokens.next();
        var verb = verb(word);
        var command = switch (verb) {
            case HELP -> new InfraCommand(verb, null, null, null, null);
            case PLAN, APPLY, DESTROY, OUTPUTS -> {
                var infra = infrastructure(tokens.required("INFRA"), infrastructures);
                var options = options(tokens, verb);
                yield new InfraCommand(verb, infra, null, options.stage, null, options.pullRequest);
            }
            case STATUS -> new InfraCommand(verb, tokens.more() ? infrastructure(tokens.next(), infrastructures) : null, null, null, null);
            case HISTORY, UNLOCK -> new InfraCommand(verb, infrastructure(tokens.required("INFRA"), infrastructures), null, null, null);
            case APPROVE, REJECT, CANCEL -> {
                var ref = tokens.required("INFRA/RUN");
                var slash = ref.indexOf('/');
                if (slash <= 0 || slash == ref.length() - 1) throw new UsageException("`" + ref + "` is not a run: write INFRA/RUN_ID, as the run's thread shows it");
                var infra = infrastructure(ref.substring(0, slash), infrastructures);
                var run = ref.substring(slash + 1);
                String stage = verb == Verb.CANCEL || !tokens.more() ? null : tokens.next();
                String reason = verb == Verb.REJECT && tokens.more() ? tokens.rest() : null;
                yield new InfraCommand(verb, infra, run, stage, reason);
            }
        };
        if (tokens.more()) throw new UsageException("unexpected `" + tokens.next() + "` after `/infra " + verb.word() + "`");
        return command;
    }

    private static Verb verb(String word) {
        for (var v : Verb.values()) if (v.word().equals(word.toLowerCase(Locale.ROOT))) return v;
        var words = new ArrayList<String>();
        for (var v : Verb.values()) words.add(v.word());
        var close = Suggestions.closest(word, words);
        throw new UsageException("unknown command `" + word + "`" + (close == null ? "" : "; did you mean `" + close + "`?"));
    }

    private static String infrastructure(String name, Collection<String> known) {
        if (known.contains(name)) return name;
        var close = Suggestions.closest(name, known);
        throw new UsageException("no infrastructure `" + name + "`" + (close == null ? "" : "; did you mean `" + close + "`?")
                + (known.isEmpty() ? "" : " (known: " + String.join(", ", known.stream().sorted().toList()) + ")"));
    }

    private static final class Options {
        String stage;
        Long pullRequest;
    }

    private static Options options(Tokens tokens, Verb verb) {
        var options = new Options();
        var known = verb == Verb.PLAN ? List.of("--stage", "--pr") : List.of("--stage");
        while (tokens.more() && tokens.peek().startsWith("--")) {
            var option = tokens.next();
            if (option.equals("--stage") || option.startsWith("--stage=")) {
                options.stage = option.equals("--stage") ? tokens.required("STAGE after --stage") : option.substring("--stage=".length());
                if (options.stage.isBlank()) throw new UsageException("--stage needs a stage name");
            } else if (verb == Verb.PLAN && (option.equals("--pr") || option.startsWith("--pr="))) {
                options.pullRequest = pullRequestNumber(option.equals("--pr") ? tokens.required("the pull request number after --pr") : option.substring("--pr=".length()));
            } else if (option.equals("--pr") || option.startsWith("--pr=")) {
                throw new UsageException("--pr previews a pull request, which never applies: only `/infra plan INFRA --pr N`");
            } else {
                var close = Suggestions.closest(option.contains("=") ? option.substring(0, option.indexOf('=')) : option, known);
                throw new UsageException("unknown option `" + option + "`" + (close == null ? "" : "; did you mean `" + close + "`?"));
            }
        }
        if (options.stage != null && options.pullRequest != null) {
            throw new UsageException("--stage and --pr do not go together: a preview plans the stages the pull request changes, as its webhook does");
        }
        return options;
    }

    private static long pullRequestNumber(String text) {
        var digits = text.startsWith("#") || text.startsWith("!") ? text.substring(1) : text;
        if (!digits.matches("[1-9][0-9]{0,9}")) {
            throw new UsageException("`" + text + "` is not a pull request number: write --pr 7 (or #7, !7 for a GitLab merge request)");
        }
        return Long.parseLong(digits);
    }

    static List<String> tokenize(String text) {
        var tokens = new ArrayList<String>();
        var current = new StringBuilder();
        boolean quoted = false, inToken = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // Slack's clients turn quotes into curly ones
            if (c == '"' || c == '\u201c' || c == '\u201d') {
                quoted = !quoted;
                inToken = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inToken) tokens.add(current.toString());
                current.setLength(0);
                inToken = false;
            } else {
                current.append(c);
                inToken = true;
            }
        }
        if (quoted) throw new UsageException("a quote is not closed");
        if (inToken) tokens.add(current.toString());
        return tokens;
    }

    /** A cursor over the tokens. */
    private static final class Tokens {
        private final List<String> tokens;
        private int at;

        Tokens(List<String> tokens) {
            this.tokens = tokens;
        }

        boolean more() {
            return at < tokens.size();
        }

        String peek() {
            return tokens.get(at);
        }

        String next() {
            return tokens.get(at++);
        }

        String required(String what) {
            if (!more()) throw new UsageException("missing " + what);
            return next();
        }

        String rest() {
            var rest = String.join(" ", tokens.subList(at, tokens.size()));
            at = tokens.size();
            return rest;
        }
    }

    public Optional<String> stageOpt() {
        return Optional.ofNullable(stage);
    }
}
