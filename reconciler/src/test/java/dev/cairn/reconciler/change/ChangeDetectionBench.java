package dev.cairn.reconciler.change;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Times {@link ChangeDetector#between} on a generated repo (100 infrastructures by default, about
 * 3 KB each, with shared and per-team local modules, a shared application and repo variables),
 * read from a bare clone as the webhook does. Prints the first call in this JVM (cold: class
 * loading and JIT included) and the median of warm calls, per scenario. Not a test: run it with
 * {@code bench/change-detect.sh}, or as a plain main with the test classpath.
 *
 * <p>Arguments: {@code [infrastructures] [warm runs]}.
 */
public final class ChangeDetectionBench {
    private static final String[] TEAMS = {"payments", "search", "identity", "billing", "ledger", "risk", "growth", "data"};

    public static void main(String[] args) throws IOException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        var work = Files.createTempDirectory("cairn-change-bench");
        try {
            run(work, count, runs);
        } finally {
            deleteTree(work);
        }
    }

    private static void run(Path work, int count, int runs) {
        var started = System.nanoTime();
        try (var git = GitFixture.init(work.resolve("repo"))) {
            generate(git, count);
            var base = git.commit("base");
            git.write("infrastructures/svc-0007.yaml", manifest(7) + "  notifications: { slack: { channel: \"#svc-7\" } }\n");
            var oneManifest = git.commit("one manifest");
            git.write("modules/team-search/main.tf", "resource \"terraform_data\" \"team\" { input = 2 }\n");
            var teamModule = git.commit("one team's module");
            git.write("modules/app-db/main.tf", "resource \"terraform_data\" \"db\" { input = 2 }\n");
            var sharedModule = git.commit("the module every infrastructure uses");
            git.write("cairn.yaml", config("eu-central-1"));
            var variable = git.commit("a variable some templates use");
            git.write("README.md", "docs only\n");
            var nothing = git.commit("nothing any infrastructure consumes");
            System.out.printf("change detection on %d infrastructures (%d warm runs per scenario), repo generated in %d ms%n",
                    count, runs, (System.nanoTime() - started) / 1_000_000);
            try (var bare = git.bareClone(work.resolve("bare.git"))) {
                var detector = new ChangeDetector();
                // the first call in this JVM: what a Lambda cold start pays
                var cpu0 = processCpuNanos();
                var cold = System.nanoTime();
                var first = detector.between(bare, base, oneManifest);
                var coldMs = (System.nanoTime() - cold) / 1e6;
                var coldCpuMs = (processCpuNanos() - cpu0) / 1e6;
                check(first.changed().size() == 1 && first.changed().get(0).infrastructure().equals("svc-0007"), "one manifest", first);
                System.out.printf("  %-44s %7.1f ms  (first call in this JVM; %.0f ms CPU, all threads incl. JIT and GC)%n",
                        "one manifest changed, cold", coldMs, coldCpuMs);
                var coldConfig = System.nanoTime();
                var config = detector.config(bare, oneManifest);
                System.out.printf("  %-44s %7.1f ms  (branch %s)%n", "config(), first call", (System.nanoTime() - coldConfig) / 1e6, config.branch());

                time("one manifest changed", runs, () -> detector.between(bare, base, oneManifest), 1);
                time("one team's module changed", runs, () -> detector.between(bare, oneManifest, teamModule), (count + TEAMS.length - 2) / TEAMS.length);
                time("the module all use changed", runs, () -> detector.between(bare, teamModule, sharedModule), count);
                time("a repo variable changed", runs, () -> detector.between(bare, sharedModule, variable), (count + 1) / 2);
                time("nothing consumed changed", runs, () -> detector.between(bare, variable, nothing), 0);
                time("new branch", runs, () -> detector.between(bare, null, nothing), count);
                time("config()", runs, () -> {
                    detector.config(bare, nothing);
                    return null;
                }, -1);
            }
        }
    }

    private static void time(String label, int runs, Supplier<ChangeSet> detect, int expectChanged) {
        var times = new ArrayList<Double>();
        for (int i = 0; i < runs; i++) {
            var t = System.nanoTime();
            var set = detect.get();
            times.add((System.nanoTime() - t) / 1e6);
            if (expectChanged >= 0) check(set.changed().size() == expectChanged, label + ": " + expectChanged + " changed", set);
        }
        times.sort(Comparator.naturalOrder());
        System.out.printf("  %-44s %7.1f ms  median warm (min %.1f, max %.1f)%n", label, times.get(times.size() / 2),
                times.get(0), times.get(times.size() - 1));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void check(boolean ok, String what, ChangeSet set) {
        if (!ok) throw new IllegalStateException("wrong result for " + what + ": " + set.changed().size() + " changed "
                + set.changed().stream().limit(5).toList());
    }

    private static void generate(GitFixture git, int count) {
        git.write("cairn.yaml", config("eu-west-1")).write("README.md", "bench\n");
        for (var stage : List.of("backend", "network", "domain", "kubernetes", "addons", "app-db")) {
            git.write("modules/" + stage + "/main.tf", "resource \"terraform_data\" \"" + stage.replace('-', '_') + "\" {}\n")
                    .write("modules/" + stage + "/variables.tf", "variable \"name\" { type = string }\n");
        }
        for (var team : TEAMS) git.write("modules/team-" + team + "/main.tf", "resource \"terraform_data\" \"team\" {}\n");
        git.write("applications/guestbook.yaml", """
                name: guestbook
                namespace: guestbook
                source: { repoURL: https://github.com/argoproj/argocd-example-apps, path: guestbook, targetRevision: HEAD }
                """);
        for (int i = 0; i < count; i++) git.write("infrastructures/svc-%04d.yaml".formatted(i), manifest(i));
    }

    private static String config(String region) {
        return """
                apiVersion: cairn.dev/v1
                kind: Repository
                variables: { org: acme, region: %s, db_size: small }
                defaults:
                  provider: { cloud: none }
                  tags: { owner: platform-team }
                """.formatted(region);
    }

    /** Even infrastructures use vars.region; every one uses app-db and its team's module. */
    private static String manifest(int i) {
        var team = TEAMS[i % TEAMS.length];
        var name = "svc-%04d".formatted(i);
        return """
                apiVersion: cairn.dev/v1
                kind: Infrastructure
                metadata:
                  name: %1$s
                  description: "Benchmark infrastructure %3$d for team %2$s"
                  labels: { team: %2$s, tier: t%4$d }
                spec:
                  tags: { team: %2$s, cost-center: cc-%5$d }
                  variables: { team: %2$s, engine: postgres }
                  backend: { source: ./modules/backend, bucketName: acme-%1$s-state }
                  network: { source: ./modules/network, cidr: 10.%6$d.0.0/16, azs: [eu-west-1a, eu-west-1b], natGateway: single }
                  domain: { source: ./modules/domain, domainName: %1$s.%2$s.acme.example }
                  kubernetes:
                    source: ./modules/kubernetes
                    clusterName: acme-%1$s
                    kubernetesVersion: "1.31"
                    nodeGroups: [{ name: default, instanceTypes: [t3.large], minSize: 1, maxSize: 4, desiredSize: 2 }]
                  addons:
                    source: ./modules/addons
                    certManager: { enabled: true, email: ops-%2$s@acme.example }
                  modules:
                    - name: app_db
                      source: app-db
                      dependsOn: [network]
                      inputs:
                        name: "{{ infra.name }}-{{ vars.org }}-app"
                        vpc_id: "{{ outputs.network.vpc_id }}"
                        settings: { engine: "{{ vars.engine }}", size: "{{ vars.db_size }}" }
                    - name: team
                      source: team-%2$s
                      inputs:
                        where: "%7$s"
                  applications:
                    - name: api-%2$s
                      namespace: %2$s
                      source:
                        repoURL: https://charts.acme.example
                        chart: api
                        targetRevision: 1.%8$d.0
                        helm: { values: { ingress: { hosts: [{ host: "api.{{ spec.domain.domainName }}" }] } } }
                  policy: { apply: auto }
                """.formatted(name, team, i, i % 3, 1000 + i % 97, i % 256,
                i % 2 == 0 ? "{{ vars.region }}" : "fixed", i % 10);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (var p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
