package dev.cairn.reconciler.terraform;

/** No usable terraform or tofu binary. */
public class TerraformNotFoundException extends RuntimeException {
    public TerraformNotFoundException(String message) {
        super(message);
    }
}
