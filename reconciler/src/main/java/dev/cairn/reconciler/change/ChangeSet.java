package dev.cairn.reconciler.change;

import java.util.List;

/**
 * Which infrastructures a change between two commits of the infrastructure repo touches.
 *
 * @param before    the older commit, or {@code null} for a new branch (every infrastructure is changed)
 * @param changed   infrastructures whose inputs differ, each with the reasons, in name order
 * @param deleted   infrastructures whose manifest is gone: reported, never destroyed
 * @param unchanged the rest, in name order
 */
public record ChangeSet(String before, String after, List<Changed> changed, List<Deleted> deleted, List<String> unchanged) {

    /**
     * @param manifest the manifest's path in the repo at {@code after}
     * @param reasons  why, for people: "manifest changed", "cairn.yaml defaults changed", "module modules/vpc changed"
     */
    public record Changed(String infrastructure, String manifest, List<String> reasons) {
    }

    /** @param manifest the manifest's path in the repo at {@code before} */
    public record Deleted(String infrastructure, String manifest) {
    }
}
