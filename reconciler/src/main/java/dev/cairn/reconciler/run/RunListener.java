package dev.cairn.reconciler.run;

/** Hears a run's progress (the CLI's live view, Slack updates later). Called from stage threads. */
public interface RunListener {
    RunListener NONE = new RunListener() {
    };

    default void runStarted(Run run) {
    }

    default void stageChanged(Run run, StageResult stage) {
    }

    /** Between planning and applying, when the run waits for a confirmation. */
    default void planned(Run run) {
    }

    default void runFinished(Run run) {
    }
}
