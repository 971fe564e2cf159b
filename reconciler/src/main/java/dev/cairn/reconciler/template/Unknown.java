package dev.cairn.reconciler.template;

/** A value that exists only after an upstream stage applies (Terraform's "known after apply"). */
public enum Unknown {
    VALUE;

    @Override
    public String toString() {
        return "(known after apply)";
    }
}
