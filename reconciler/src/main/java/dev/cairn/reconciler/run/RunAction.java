package dev.cairn.reconciler.run;

/** What a run does to an infrastructure. */
public enum RunAction { PLAN, APPLY, DESTROY }
