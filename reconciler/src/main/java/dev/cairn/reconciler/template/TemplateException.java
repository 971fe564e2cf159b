package dev.cairn.reconciler.template;

/** A template that does not parse or refers to something that does not exist. */
public class TemplateException extends RuntimeException {
    private final String rule;
    private final String hint;

    public TemplateException(String rule, String message, String hint) {
        super(message);
        this.rule = rule;
        this.hint = hint;
    }

    public String rule() {
        return rule;
    }

    public String hint() {
        return hint;
    }
}
