package dev.cairn.reconciler.run;

/** Hears a run's progress (the CLI's live view, Slack updates later). Called from stage threads. */
public interface RunListener {
    RunListener NONE = new RunListener() {
    };

    default void runStarted(Run run) {
    }

    default void stageChanged(Run run, StageResult stage) {
    }

    /** Before each confirmation is asked (the first, and each later one for plans made after an upstream applied). */
    default void planned(Run run) {
    }

    default void runFinished(Run run) {
    }
}
