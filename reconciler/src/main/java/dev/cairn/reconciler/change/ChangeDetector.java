package dev.cairn.reconciler.change;

import dev.cairn.reconciler.manifest.RepoConfig;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * Which infrastructures a change between two commits touches, read from git objects (a bare
 * repository is enough): a manifest, the {@code cairn.yaml} defaults or variables it inherits, a
 * local module or shared application it uses.
 */
public final class ChangeDetector {

    /** @param before the older commit, or {@code null} (a new branch: every infrastructure changed) */
    public ChangeSet between(Repository repo, ObjectId before, ObjectId after) {
        throw new UnsupportedOperationException("change detection lands with the change-detect branch");
    }

    /** {@code cairn.yaml} at {@code commit} (defaults when absent), e.g. for its tracked {@code branch}. */
    public RepoConfig config(Repository repo, ObjectId commit) {
        throw new UnsupportedOperationException("change detection lands with the change-detect branch");
    }
}
