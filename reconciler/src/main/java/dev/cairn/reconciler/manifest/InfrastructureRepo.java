package dev.cairn.reconciler.manifest;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/** A checked-out infrastructure repository: its config, every manifest that loaded, shared applications. */
public record InfrastructureRepo(Path root, RepoConfig config, SortedMap<String, Infrastructure> infrastructures,
                                 List<SharedApplication> sharedApplications) {

    public Optional<Infrastructure> infrastructure(String name) {
        return Optional.ofNullable(infrastructures.get(name));
    }

    public Path modulesDir() {
        return root.resolve(config.modules());
    }
}
