package dev.cairn.reconciler.change;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.reconciler.diag.Diagnostic;
import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;
import dev.cairn.reconciler.manifest.RepoConfig;
import dev.cairn.reconciler.manifest.RepoPath;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which infrastructures a change between two commits touches, read from git objects (a bare
 * repository is enough): a manifest, the {@code cairn.yaml} defaults or variables it inherits, a
 * local module or shared application it uses.
 *
 * <p>An infrastructure is changed when something it consumes differs, and only then: its
 * manifest with the repo defaults merged in (so a formatting-only edit, a rename, or a defaults
 * change it overrides is no change), the repo variables its templates use, the tree of every
 * local module folder its enabled stages use (and the local modules those modules' .tf files
 * use), the shared applications that go to it (when its addons stage runs), and
 * {@code cairn.yaml}'s terraform settings. See docs/change-detection.md.
 *
 * <p>With a {@link RepoPath} (a monorepo's {@code infra/}), only the tree under that folder is
 * read: {@code cairn.yaml} at its top, every path relative to it, a change outside it changes
 * nothing, and a symbolic link cannot lead out of it.
 */
public final class ChangeDetector {
    static final String NEW_BRANCH = "new branch";
    static final String NEW_INFRASTRUCTURE = "new infrastructure";
    static final String MANIFEST_CHANGED = "manifest changed";
    static final String DEFAULTS_CHANGED = "cairn.yaml defaults changed";
    static final String TERRAFORM_CHANGED = "cairn.yaml terraform settings changed";
    static final String CONFIG_UNREADABLE_BEFORE = "cairn.yaml changed (unreadable at the older commit)";

    private final RepoPath path;

    /** Reads the repository from its root. */
    public ChangeDetector() {
        this(RepoPath.ROOT);
    }

    /** @param path the folder of the repository that holds {@code cairn.yaml}; only what lies under it is read */
    public ChangeDetector(RepoPath path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    public RepoPath path() {
        return path;
    }

    /**
     * @param before the older commit, or {@code null} (a new branch: every infrastructure changed);
     *               the zero id (a git push's "no previous commit") counts as null
     * @throws InvalidInputException    when {@code cairn.yaml} at {@code after} cannot be read (the message names it)
     * @throws IllegalArgumentException when a commit is not in {@code repo}
     */
    public ChangeSet between(Repository repo, ObjectId before, ObjectId after) {
        Objects.requireNonNull(after, "after");
        if (ObjectId.zeroId().equals(before)) before = null;
        try (var reader = repo.newObjectReader(); var walk = new RevWalk(reader)) {
            var parsed = new HashMap<ObjectId, Optional<JsonNode>>();
            var now = snapshot(walk, reader, after, parsed, path);
            var manifests = now.manifests();
            if (before == null) {
                var changed = byName(manifests).entrySet().stream()
                        .map(e -> new ChangeSet.Changed(e.getKey(), e.getValue().get(0).path(), List.of(NEW_BRANCH)))
                        .toList();
                return new ChangeSet(null, after.name(), changed, List.of(), List.of());
            }
            Snapshot then;
            try {
                then = snapshot(walk, reader, before, parsed, path);
            } catch (InvalidInputException e) {
                // nothing to compare against: everything the fixed cairn.yaml feeds is new
                var changed = byName(manifests).entrySet().stream()
                        .map(m -> new ChangeSet.Changed(m.getKey(), m.getValue().get(0).path(), List.of(CONFIG_UNREADABLE_BEFORE)))
                        .toList();
                return new ChangeSet(before.name(), after.name(), changed, List.of(), List.of());
            }
            return compare(then, now, then.manifests(), manifests);
        }
    }

    /**
     * {@code cairn.yaml} at {@code commit} ({@link RepoConfig#DEFAULT} when absent), e.g. for its
     * tracked {@code branch}. Reads that one file, nothing else of the repo.
     *
     * @throws InvalidInputException when it is not valid YAML or has values of the wrong type
     */
    public RepoConfig config(Repository repo, ObjectId commit) {
        try (var reader = repo.newObjectReader(); var walk = new RevWalk(reader)) {
            return Snapshot.readConfig(commit.name(), new GitTree(reader, tree(walk, reader, commit, path))).config();
        }
    }

    private static Snapshot snapshot(RevWalk walk, ObjectReader reader, ObjectId commit, Map<ObjectId, Optional<JsonNode>> parsed,
                                     RepoPath path) {
        return Snapshot.of(commit.name(), new GitTree(reader, tree(walk, reader, commit, path)), parsed);
    }

    /**
     * The tree of {@code path} at {@code commit}: the commit's root tree, or the folder's.
     *
     * @throws InvalidInputException when the commit has no folder at {@code path}
     */
    private static RevTree tree(RevWalk walk, ObjectReader reader, ObjectId commit, RepoPath path) {
        var root = parseCommit(walk, commit).getTree();
        if (path.isRoot()) return root;
        try (var found = TreeWalk.forPath(reader, path.value(), root)) {
            if (found == null || found.getFileMode(0) != FileMode.TREE) {
                throw new InvalidInputException(new Diagnostic(Location.file(Path.of(path.value())), "repository-path-missing",
                        "the commit " + commit.name().substring(0, 12) + " has no folder " + path.value() + " (the repository path, "
                                + RepoPath.VARIABLE + ")", "set " + RepoPath.VARIABLE + " to the folder that holds cairn.yaml"));
            }
            return walk.parseTree(found.getObjectId(0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path.value() + " at " + commit.name(), e);
        }
    }

    private static org.eclipse.jgit.revwalk.RevCommit parseCommit(RevWalk walk, ObjectId commit) {
        try {
            return walk.parseCommit(commit);
        } catch (MissingObjectException e) {
            throw new IllegalArgumentException("commit " + commit.name() + " is not in the repository (fetch it first)", e);
        } catch (IncorrectObjectTypeException e) {
            throw new IllegalArgumentException(commit.name() + " is not a commit", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read commit " + commit.name(), e);
        }
    }

    /** Manifests grouped by infrastructure name, names in order, each group in path order. */
    private static TreeMap<String, List<Snapshot.ManifestFile>> byName(List<Snapshot.ManifestFile> manifests) {
        var out = new TreeMap<String, List<Snapshot.ManifestFile>>();
        for (var m : manifests) out.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m);
        return out;
    }

    private static ChangeSet compare(Snapshot then, Snapshot now, List<Snapshot.ManifestFile> old, List<Snapshot.ManifestFile> current) {
        var oldByName = byName(old);
        var oldByPath = new HashMap<String, Snapshot.ManifestFile>();
        old.forEach(m -> oldByPath.put(m.path(), m));
        // a manifest that does not parse now keeps the name it had at its path (its own name is a guess)
        var named = current.stream().map(m -> m.root() == null && oldByPath.containsKey(m.path())
                ? new Snapshot.ManifestFile(m.path(), null, oldByPath.get(m.path()).name()) : m).toList();
        var currentByName = byName(named);
        var matchedPaths = new HashSet<String>();

        var changed = new ArrayList<ChangeSet.Changed>();
        var unchanged = new ArrayList<String>();
        for (var group : currentByName.entrySet()) {
            var name = group.getKey();
            var manifest = group.getValue().get(0);
            var previous = previousOf(manifest, oldByName, oldByPath);
            if (previous != null) matchedPaths.add(previous.path());
            var reasons = group.getValue().size() > 1
                    ? List.of("defined in " + group.getValue().size() + " manifests")
                    : reasons(then, now, previous, manifest);
            if (reasons.isEmpty()) unchanged.add(name);
            else changed.add(new ChangeSet.Changed(name, manifest.path(), reasons));
        }
        var deleted = new TreeMap<String, ChangeSet.Deleted>();
        for (var m : old) {
            if (!matchedPaths.contains(m.path()) && !currentByName.containsKey(m.name())) {
                deleted.putIfAbsent(m.name(), new ChangeSet.Deleted(m.name(), m.path()));
            }
        }
        return new ChangeSet(then.commit, now.commit, changed, List.copyOf(deleted.values()), unchanged);
    }

    /**
     * The older version of a manifest: the one with its name, else one at its path that did not
     * parse then (so its name then was only a guess).
     */
    private static Snapshot.ManifestFile previousOf(Snapshot.ManifestFile manifest, Map<String, List<Snapshot.ManifestFile>> oldByName,
                                                    Map<String, Snapshot.ManifestFile> oldByPath) {
        var sameName = oldByName.get(manifest.name());
        if (sameName != null) return sameName.get(0);
        var samePath = oldByPath.get(manifest.path());
        return samePath != null && samePath.root() == null ? samePath : null;
    }

    /** Why one infrastructure changed between the two commits; empty when it did not. */
    static List<String> reasons(Snapshot then, Snapshot now, Snapshot.ManifestFile previous, Snapshot.ManifestFile current) {
        if (previous == null) return List.of(NEW_INFRASTRUCTURE);
        if (current.root() == null || previous.root() == null) return List.of(MANIFEST_CHANGED);
        var reasons = new LinkedHashSet<String>();
        var before = Snapshot.effective(previous.root(), then.defaults);
        // the same blob under the same defaults (the usual case) is the same manifest: merge once
        var after = previous.root() == current.root() && then.defaults.equals(now.defaults)
                ? before : Snapshot.effective(current.root(), now.defaults);
        if (!before.equals(after)) {
            if (!previous.root().equals(current.root()) && !before.equals(Snapshot.effective(current.root(), then.defaults))) {
                reasons.add(MANIFEST_CHANGED);
            }
            if (!then.defaults.equals(now.defaults) && !Snapshot.effective(current.root(), then.defaults).equals(after)) {
                reasons.add(DEFAULTS_CHANGED);
            }
        }
        var appsBefore = addonsRun(before) || addonsRun(after) ? then.applicationsFor(current.name()) : Map.<String, List<JsonNode>>of();
        var appsAfter = addonsRun(before) || addonsRun(after) ? now.applicationsFor(current.name()) : Map.<String, List<JsonNode>>of();
        variables(then, now, before, after, appsAfter, reasons);
        if (!then.terraform.equals(now.terraform)) reasons.add(TERRAFORM_CHANGED);
        modules(then, now, before, after, reasons);
        applications(appsBefore, appsAfter, reasons);
        return List.copyOf(reasons);
    }

    /** Repo variables that changed and that the infrastructure's templates (and its shared applications') use. */
    private static void variables(Snapshot then, Snapshot now, JsonNode before, JsonNode after,
                                  Map<String, List<JsonNode>> apps, LinkedHashSet<String> reasons) {
        if (then.variables.equals(now.variables)) return;
        var visibleBefore = then.visibleVariables(before);
        var visibleAfter = now.visibleVariables(after);
        var templates = new ArrayList<JsonNode>();
        templates.add(after.path("spec"));
        apps.values().forEach(templates::addAll);
        var names = TemplateVariables.referenced(templates).orElseGet(() -> {
            var all = new TreeSet<String>();
            visibleBefore.fieldNames().forEachRemaining(all::add);
            visibleAfter.fieldNames().forEachRemaining(all::add);
            return all;
        });
        for (var name : names) {
            if (!Objects.equals(then.variables.get(name), now.variables.get(name))
                    && !Objects.equals(visibleBefore.get(name), visibleAfter.get(name))) {
                reasons.add("variable " + name + " changed");
            }
        }
    }

    /** Local module folders of the enabled stages whose tree differs (a stage whose folder moved: whose content differs). */
    private static void modules(Snapshot then, Snapshot now, JsonNode before, JsonNode after, LinkedHashSet<String> reasons) {
        var oldFolders = then.localModules(before);
        var found = new TreeSet<String>();
        now.localModules(after).forEach((stage, dir) -> {
            var oldDir = oldFolders.get(stage);
            if (oldDir != null && !oldDir.equals(dir)) {
                if (!Objects.equals(then.tree.moduleId(oldDir), now.tree.moduleId(dir))) found.add(dir);
                return;
            }
            now.moduleClosure(dir).forEach((folder, id) -> {
                if (!Objects.equals(then.tree.moduleId(folder), id)) found.add(folder);
            });
        });
        found.forEach(dir -> reasons.add("module " + dir + " changed"));
    }

    private static void applications(Map<String, List<JsonNode>> before, Map<String, List<JsonNode>> after, LinkedHashSet<String> reasons) {
        var names = new TreeSet<String>(before.keySet());
        names.addAll(after.keySet());
        for (var name : names) {
            var was = before.get(name);
            var is = after.get(name);
            if (was == null) reasons.add("application " + name + " added");
            else if (is == null) reasons.add("application " + name + " removed");
            else if (!was.equals(is)) reasons.add("application " + name + " changed");
        }
    }

    /** Shared applications reach an infrastructure through its addons stage only. */
    private static boolean addonsRun(JsonNode effective) {
        var addons = effective.path("spec").path("addons");
        return addons.isObject() && Snapshot.enabled(addons);
    }
}
