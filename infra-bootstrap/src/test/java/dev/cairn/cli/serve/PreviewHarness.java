package dev.cairn.cli.serve;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What the served-preview ITs share: signed GitHub deliveries, edits and commits of the served repo, file checksums. */
final class PreviewHarness {
    private PreviewHarness() {
    }

    /** A GitHub webhook delivery to {@code cairn serve} on {@code port}, signed with {@code secret} as GitHub signs it. */
    static HttpResponse<String> deliverGitHub(HttpClient http, int port, String secret, String event, String body) throws Exception {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        var signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", UUID.randomUUID().toString()).header("X-Hub-Signature-256", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Replaces {@code from} (which must be there) with {@code to} in {@code file} of {@code repo}. */
    static void edit(Path repo, String file, String from, String to) throws IOException {
        var path = repo.resolve(file);
        var text = Files.readString(path);
        assertThat(text).contains(from);
        Files.writeString(path, text.replace(from, to));
    }

    /** Commits everything in the work tree; the new commit's id. */
    static String commit(Git git, PersonIdent author, String message) throws Exception {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor(author).setCommitter(author).call().name();
    }

    static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
