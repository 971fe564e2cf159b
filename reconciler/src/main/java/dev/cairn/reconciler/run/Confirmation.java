package dev.cairn.reconciler.run;

/** Asked once the plan is known, before anything is applied or destroyed. */
@FunctionalInterface
public interface Confirmation {
    /** Applies without asking (`--yes`, or policy auto-apply). */
    Confirmation AUTO = run -> true;

    boolean confirm(Run planned);
}
