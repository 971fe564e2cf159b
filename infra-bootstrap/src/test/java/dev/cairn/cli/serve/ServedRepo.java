package dev.cairn.cli.serve;

import dev.cairn.reconciler.manifest.Json;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/** A JGit repository for a {@code cairn serve} test, and signed GitHub pushes of it to the server. */
final class ServedRepo implements AutoCloseable {
    static final String WEBHOOK_SECRET = "serve-it-webhook-secret";
    static final String ZERO = "0".repeat(40);
    private static final PersonIdent AUTHOR = new PersonIdent("t", "t@example.com");

    final Path dir;
    final Git git;
    final StringWriter log = new StringWriter();
    private final HttpClient http = HttpClient.newHttpClient();

    ServedRepo(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir);
        this.git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    ServedRepo write(String path, String text) throws Exception {
        var file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return this;
    }

    String commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).call().name();
    }

    LocalServer serve(Path state) throws Exception {
        return LocalServer.start(new LocalServer.Options(dir, Path.of(System.getProperty("cairn.repoRoot")).resolve("template.yaml"), state, 0,
                Map.of("CAIRN_GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET), new PrintWriter(log, true)));
    }

    /** A signed GitHub push of {@code before..after} to the server's webhook; returns the response. */
    HttpResponse<String> push(LocalServer server, String before, String after) throws Exception {
        return pushTo(server.url().toString(), before, after);
    }

    /** The same, to the server at {@code url} (another process). */
    HttpResponse<String> pushTo(String url, String before, String after) throws Exception {
        var payload = Json.MAPPER.createObjectNode();
        payload.put("ref", "refs/heads/main").put("before", before).put("after", after).put("created", ZERO.equals(before)).put("deleted", false);
        payload.putObject("repository").put("full_name", "acme/infra").put("clone_url", new ServedRepository(dir).url()).put("default_branch", "main");
        payload.putObject("pusher").put("name", "octocat");
        var body = Json.MAPPER.writeValueAsString(payload);
        var request = HttpRequest.newBuilder(URI.create(url + "webhooks/github")).header("Content-Type", "application/json")
                .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + hmac(WEBHOOK_SECRET, body));
        return http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String hmac(String secret, String text) throws Exception {
        var mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        git.close();
    }
}
