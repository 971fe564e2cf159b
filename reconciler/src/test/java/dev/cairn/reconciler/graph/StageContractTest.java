package dev.cairn.reconciler.graph;

import dev.cairn.reconciler.RepoFiles;
import dev.cairn.reconciler.manifest.RepositoryLoader;
import dev.cairn.reconciler.module.BuiltinModules;
import dev.cairn.reconciler.module.ModuleFetcher;
import dev.cairn.reconciler.template.TemplateEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two rules of docs/stage-contract.md on the quickstart: a stage's own {@code inputs} win over the
 * wiring, and a stage is wired to an upstream built-in stage only when that stage is enabled.
 */
class StageContractTest {
    @TempDir
    Path tmp;

    private final StageCatalog catalog = new StageCatalog(new ModuleFetcher(Path.of(System.getProperty("java.io.tmpdir"), "cairn-test-git"),
            BuiltinModules.discover()), new TemplateEngine());

    private StageCatalog.Result dev(UnaryOperator<String> edit) throws Exception {
        var root = RepoFiles.copyQuickstart(tmp.resolve("repo"));
        var manifest = root.resolve("infrastructures/dev.yaml");
        Files.writeString(manifest, edit.apply(Files.readString(manifest)));
        var repo = new RepositoryLoader().loadValid(root);
        return catalog.build(repo, repo.infrastructure("dev").orElseThrow());
    }

    private static Map<String, Map<String, Object>> outputs() {
        var outputs = new LinkedHashMap<String, Map<String, Object>>();
        outputs.put("backend", Map.of("state_bucket", "acme-dev-state", "kms_key_arn", "arn:aws:kms:k", "secrets_prefix", "/cairn/dev/"));
        outputs.put("network", Map.of("vpc_id", "vpc-wired", "private_subnet_ids", List.of("subnet-p1", "subnet-p2"),
                "database_subnet_ids", List.of("subnet-d1")));
        outputs.put("domain", Map.of("zone_id", "Z123", "domain_name", "dev.acme.example"));
        return outputs;
    }

    @Test
    void aStagesOwnInputWinsOverTheWiringAndTheRestStaysWired() throws Exception {
        var result = dev(text -> text.replace("""
                  kubernetes:
                    source: ./modules/kubernetes
                """, """
                  kubernetes:
                    source: ./modules/kubernetes
                    inputs:
                      vpc_id: vpc-chosen-by-hand
                """));
        assertThat(result.diagnostics()).isEmpty();
        var stages = result.stages();

        var vars = catalog.renderInputs(stages, "kubernetes", StageCatalog.scope(stages.infrastructure(), outputs()));

        assertThat(vars).containsEntry("vpc_id", "vpc-chosen-by-hand")
                .containsEntry("subnet_ids", List.of("subnet-p1", "subnet-p2"));
    }

    @Test
    void aDisabledUpstreamStageIsNotWiredNorWaitedFor() throws Exception {
        var result = dev(text -> text
                .replace("""
                          network:
                            source: ./modules/network
                        """, """
                          network:
                            enabled: false
                            source: ./modules/network
                        """)
                // app_db reads network outputs by template: without network it would be (rightly) invalid
                .replaceAll("(?s)  modules:\\n.*?(?=  applications:)", ""));
        var stages = result.stages();

        assertThat(stages.definitions()).doesNotContainKey("network");
        assertThat(stages.get("kubernetes").wiring()).doesNotContainKeys("vpc_id", "subnet_ids");
        assertThat(stages.graph().dependenciesOf("kubernetes")).doesNotContain("network").contains("backend");
        // the enabled upstream stages are still wired
        assertThat(stages.get("addons").wiring()).containsKeys("cluster_name", "zone_id");
    }
}
