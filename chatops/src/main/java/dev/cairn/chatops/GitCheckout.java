package dev.cairn.chatops;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A working tree of the tracked branch of the infrastructure repo under the cache folder
 * ({@code /tmp} in Lambda), for {@link Catalog} to read with the repository loader: cloned once
 * per container (one branch, depth 1), then fetched and hard-reset when the catalog refreshes.
 * The webhook's {@code GitMirror} keeps bare clones, which the loader cannot read, hence this
 * small sibling. It holds the whole tree; {@link Catalog} reads the repository path
 * ({@code CAIRN_REPO_PATH}) of it. Only https, http and file URLs without credentials; a token goes through a
 * credentials provider, never into a URL or a message.
 */
final class GitCheckout implements Runnable {
    private final String url;
    private final String branch;
    private final Path dir;
    private final Supplier<Optional<String>> token;

    GitCheckout(String url, String branch, Path dir, Supplier<Optional<String>> token) {
        checked(url);
        this.url = url;
        this.branch = branch;
        this.dir = dir.toAbsolutePath().normalize();
        this.token = token;
    }

    Path dir() {
        return dir;
    }

    @Override
    public synchronized void run() {
        try {
            if (!Files.isDirectory(dir.resolve(".git"))) {
                var clone = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setBranch(branch)
                        .setBranchesToClone(java.util.List.of("refs/heads/" + branch)).setDepth(1).setTimeout(8);
                token.get().ifPresent(t -> clone.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", t)));
                clone.call().close();
                return;
            }
            try (var git = Git.open(dir.toFile())) {
                var fetch = git.fetch().setRemote("origin").setDepth(1).setTimeout(8)
                        .setRefSpecs("+refs/heads/" + branch + ":refs/remotes/origin/" + branch);
                token.get().ifPresent(t -> fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", t)));
                fetch.call();
                git.reset().setMode(ResetCommand.ResetType.HARD).setRef("refs/remotes/origin/" + branch).call();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot fetch branch " + branch + " of the infrastructure repository: " + e.getClass().getSimpleName());
        }
    }

    static void checked(String url) {
        URIish uri;
        try {
            uri = new URIish(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("CAIRN_REPO_URL is not a git URL");
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http") || scheme.equals("file")) || url.contains("::")
                || uri.getUser() != null || uri.getPass() != null) {
            throw new IllegalArgumentException("refusing repository URL scheme '" + scheme
                    + "': only https, http and file URLs without credentials (a token goes in CAIRN_GIT_TOKEN_NAME)");
        }
    }
}
