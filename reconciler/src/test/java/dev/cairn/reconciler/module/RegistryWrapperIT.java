package dev.cairn.reconciler.module;

import dev.cairn.reconciler.run.Redactor;
import dev.cairn.reconciler.terraform.StageRunner;
import dev.cairn.reconciler.terraform.TerraformBinary;
import dev.cairn.reconciler.terraform.TerraformCli;
import dev.cairn.reconciler.terraform.TerraformEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry module runs inside a wrapper root module that Cairn writes; after init the inner
 * module's outputs are re-exported. The registry itself is out of reach here, so the wrapper
 * points at a module path Terraform installs the same way (module installer, modules.json).
 */
class RegistryWrapperIT {

    @TempDir
    Path tmp;

    @Test
    void theWrapperPassesInputsAndReExportsEveryOutputKeepingSensitivity() throws Exception {
        var inner = tmp.resolve("inner");
        Files.createDirectories(inner);
        Files.writeString(inner.resolve("main.tf"), """
                variable "name" {
                  type = string
                }

                variable "zones" {
                  type = list(string)
                }

                resource "terraform_data" "this" {
                  input = var.name
                }

                output "id" {
                  value = "${terraform_data.this.output}-${length(var.zones)}"
                }

                output "token" {
                  value     = "tok-${var.name}-secret"
                  sensitive = true
                }
                """);
        var work = tmp.resolve("work");
        var fetcher = new ModuleFetcher(tmp.resolve("git"), BuiltinModules.discover());
        var inputs = new LinkedHashMap<String, Object>();
        inputs.put("name", "db");
        inputs.put("zones", List.of("a", "b", "c"));
        fetcher.materialize(new ModuleSource.Registry("../inner", null), work, inputs);
        Files.writeString(work.resolve("cairn.auto.tfvars.json"), dev.cairn.reconciler.manifest.Json.MAPPER.writeValueAsString(inputs));

        var runner = new StageRunner(new TerraformCli(TerraformBinary.find(null), TerraformEnvironment.create(tmp.resolve("state"))));
        var log = new StringWriter();
        var redactor = new Redactor();
        runner.init(work, log, redactor);
        fetcher.exportRegistryOutputs(work);
        var plan = runner.plan(work, false, log, redactor);
        var outputs = runner.apply(work, log, redactor);

        assertThat(plan.summary().add()).isEqualTo(1);
        assertThat(plan.summary().resources()).extracting(r -> r.address()).containsExactly("module.this.terraform_data.this");
        assertThat(outputs.get("id").value()).isEqualTo("db-3");
        assertThat(outputs.get("id").sensitive()).isFalse();
        assertThat(outputs.get("token").sensitive()).isTrue();
        assertThat(Map.of("token", outputs.get("token").value())).containsEntry("token", "tok-db-secret");
    }
}
