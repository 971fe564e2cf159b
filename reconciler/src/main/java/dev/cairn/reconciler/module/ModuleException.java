package dev.cairn.reconciler.module;

/** A module that cannot be fetched or put in place. */
public class ModuleException extends RuntimeException {
    public ModuleException(String message) {
        super(message);
    }
}
