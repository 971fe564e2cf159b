package dev.cairn.reconciler.run;

import java.util.List;

/**
 * Asks a person to confirm plans before they are applied. Asked first with every plan made before
 * anything applies, then once per wave whose plans were made after an upstream stage applied (a
 * deferred stage's plan): only what was confirmed is applied.
 */
@FunctionalInterface
public interface Confirmation {
    /** Applies without asking (`--yes`, or policy auto-apply). */
    Confirmation AUTO = (run, stages) -> true;

    /**
     * @param run    the run so far: the plans of {@code stages} are on it
     * @param stages the stages asked about, in wave order; each has a plan with changes
     * @return true to apply them; anything else stops the run there
     */
    boolean confirm(Run run, List<String> stages);
}
