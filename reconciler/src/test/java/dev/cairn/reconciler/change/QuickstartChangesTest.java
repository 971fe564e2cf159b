package dev.cairn.reconciler.change;

import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.graph.StageCatalog;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.module.ModuleSource;
import dev.cairn.reconciler.template.TemplateEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The detector against the real loader and stage catalog, on examples/quickstart: the same
 * infrastructures, and a change in each local module folder the catalog resolves changes exactly
 * the infrastructures whose stages use it.
 */
class QuickstartChangesTest {
    @TempDir
    Path tmp;

    @Test
    void agreesWithTheLoaderAndTheStageCatalog() {
        var root = RepoFiles.copyQuickstart(tmp.resolve("repo"));
        var repo = new RepositoryLoader().loadValid(root);
        var catalog = new StageCatalog(new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover()), new TemplateEngine());
        // module folder (repo-relative) -> infrastructures whose stages use it, as the catalog resolves sources
        var users = new TreeMap<String, Set<String>>();
        for (var infra : repo.infrastructures().values()) {
            var stages = catalog.build(repo, infra);
            assertThat(stages.diagnostics()).isEmpty();
            for (var def : stages.stages().definitions().values()) {
                if (def.source() instanceof ModuleSource.Local local) {
                    users.computeIfAbsent(root.relativize(local.dir()).toString().replace('\\', '/'), k -> new TreeSet<>()).add(infra.name());
                }
            }
        }
        assertThat(users).isNotEmpty();

        var detector = new ChangeDetector();
        try (var git = GitFixture.init(root)) {
            var base = git.commit("quickstart");
            var all = detector.between(git.repo(), null, base);
            assertThat(all.changed()).extracting(ChangeSet.Changed::infrastructure).containsExactlyElementsOf(repo.infrastructures().keySet());
            assertThat(all.changed()).allSatisfy(c -> assertThat(root.resolve(c.manifest()))
                    .isEqualTo(repo.infrastructures().get(c.infrastructure()).file()));

            for (var entry : users.entrySet()) {
                var dir = entry.getKey();
                git.write(dir + "/touched.tf", "# touched\n");
                var after = git.commit("touch " + dir);
                var set = detector.between(git.repo(), base, after);
                var expected = new TreeMap<String, List<String>>();
                entry.getValue().forEach(name -> expected.put(name, List.of("module " + dir + " changed")));
                assertThat(set.changed()).as(dir).extracting(ChangeSet.Changed::infrastructure).containsExactlyElementsOf(expected.keySet());
                assertThat(set.changed()).as(dir).allSatisfy(c -> assertThat(c.reasons()).isEqualTo(expected.get(c.infrastructure())));
                base = after;
            }

            git.write("applications/guestbook.yaml", "name: guestbook\ninfrastructures: [dev]\nsource: { repoURL: https://github.com/argoproj/argocd-example-apps, path: guestbook }\n");
            var set = detector.between(git.repo(), base, git.commit("guestbook for dev only"));
            assertThat(set.changed()).extracting(ChangeSet.Changed::infrastructure, ChangeSet.Changed::reasons)
                    .containsExactlyElementsOf(Map.of("dev", List.of("application guestbook changed"),
                            "prod", List.of("application guestbook removed")).entrySet().stream()
                            .sorted(Map.Entry.comparingByKey())
                            .map(e -> org.assertj.core.groups.Tuple.tuple(e.getKey(), e.getValue())).toList());
        }
    }
}
