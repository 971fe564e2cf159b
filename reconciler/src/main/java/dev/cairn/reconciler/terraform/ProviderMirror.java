package dev.cairn.reconciler.terraform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A filesystem mirror of Terraform providers (a folder holding {@code registry.terraform.io}),
 * for machines with no registry access: named by {@code CAIRN_PROVIDER_MIRROR}, else found by a
 * shallow search of the usual places ({@code /opt}, {@code /usr/local/share}, {@code /usr/share},
 * {@code ~/.terraform.d}). The CLI config Cairn writes takes from the mirror the providers it
 * holds and everything else from the registry, so a mirror never hides a provider.
 */
public record ProviderMirror(Path root, List<String> providers) {

    private static final List<String> SEARCH_ROOTS = List.of("/opt", "/usr/local/share", "/usr/share/terraform");

    public static Optional<ProviderMirror> discover() {
        var named = System.getenv("CAIRN_PROVIDER_MIRROR");
        if (named != null && !named.isBlank()) return at(Path.of(named));
        var roots = new ArrayList<Path>();
        SEARCH_ROOTS.forEach(r -> roots.add(Path.of(r)));
        roots.add(Path.of(System.getProperty("user.home"), ".terraform.d"));
        for (var root : roots) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> found = Files.find(root, 3, (p, attrs) -> attrs.isDirectory()
                    && p.getFileName() != null && p.getFileName().toString().equals("registry.terraform.io"))) {
                for (var hit : found.toList()) {
                    var mirror = at(hit.getParent());
                    if (mirror.isPresent()) return mirror;
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // unreadable: not a mirror
            }
        }
        return Optional.empty();
    }

    /** The mirror at {@code root} when it holds at least one provider. */
    static Optional<ProviderMirror> at(Path root) {
        var registry = root.resolve("registry.terraform.io");
        if (!Files.isDirectory(registry)) return Optional.empty();
        var providers = new ArrayList<String>();
        try (Stream<Path> namespaces = Files.list(registry)) {
            for (var ns : namespaces.filter(Files::isDirectory).toList()) {
                try (Stream<Path> types = Files.list(ns)) {
                    types.filter(Files::isDirectory).forEach(t -> providers.add("registry.terraform.io/" + ns.getFileName() + "/" + t.getFileName()));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return providers.isEmpty() ? Optional.empty() : Optional.of(new ProviderMirror(root, List.copyOf(providers)));
    }

    /** A CLI config: these providers from the mirror, all others from their registries. */
    public String cliConfig() {
        var list = String.join(", ", providers.stream().map(p -> "\"" + p + "\"").toList());
        return "provider_installation {\n"
                + "  filesystem_mirror {\n    path    = \"" + root + "\"\n    include = [" + list + "]\n  }\n"
                + "  direct {\n    exclude = [" + list + "]\n  }\n"
                + "}\n";
    }
}
