package dev.cairn.cli;

/** Whether we talk to a person at a terminal (live redraws, colors) or to a pipe (plain lines). */
final class Terminal {
    private final boolean interactive;
    private final boolean color;

    Terminal(boolean noColor) {
        this.interactive = isTerminal() && System.getenv("CI") == null && !"dumb".equals(System.getenv("TERM"));
        this.color = interactive && !noColor && System.getenv("NO_COLOR") == null;
    }

    boolean interactive() {
        return interactive;
    }

    boolean color() {
        return color;
    }

    String paint(String text, String ansi) {
        return color ? "\u001b[" + ansi + "m" + text + "\u001b[0m" : text;
    }

    String green(String text) {
        return paint(text, "32");
    }

    String red(String text) {
        return paint(text, "31");
    }

    String yellow(String text) {
        return paint(text, "33");
    }

    String bold(String text) {
        return paint(text, "1");
    }

    String dim(String text) {
        return paint(text, "2");
    }

    static boolean isTerminal() {
        var console = System.console();
        if (console == null) return false;
        try {
            // Java 22+: a Console exists even when redirected; ask whether it is a terminal
            var method = console.getClass().getMethod("isTerminal");
            return (boolean) method.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
