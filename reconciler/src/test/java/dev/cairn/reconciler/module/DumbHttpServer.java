package dev.cairn.reconciler.module;

import com.sun.net.httpserver.HttpServer;
import org.eclipse.jgit.api.Git;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves a git dir over git's "dumb" HTTP protocol (plain files: info/refs, loose objects), the
 * JDK's own HTTP server on a free loopback port: a real remote for fetch tests with no git binary.
 */
final class DumbHttpServer implements AutoCloseable {
    private final HttpServer server;

    private DumbHttpServer(HttpServer server) {
        this.server = server;
    }

    static DumbHttpServer serve(Path gitDir) throws IOException {
        writeServerInfo(gitDir);
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            var file = gitDir.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(gitDir) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                var bytes = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.start();
        return new DumbHttpServer(server);
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** What {@code git update-server-info} writes: the refs list and an (empty) pack list. */
    private static void writeServerInfo(Path gitDir) throws IOException {
        var refs = new StringBuilder();
        try (var git = Git.open(gitDir.toFile())) {
            for (var ref : git.getRepository().getRefDatabase().getRefs()) {
                if (ref.getName().equals("HEAD")) continue;
                var peeled = git.getRepository().getRefDatabase().peel(ref);
                refs.append(ref.getObjectId().name()).append('\t').append(ref.getName()).append('\n');
                if (peeled.getPeeledObjectId() != null) {
                    refs.append(peeled.getPeeledObjectId().name()).append('\t').append(ref.getName()).append("^{}\n");
                }
            }
        }
        Files.createDirectories(gitDir.resolve("info"));
        Files.writeString(gitDir.resolve("info/refs"), refs.toString(), StandardCharsets.UTF_8);
        Files.createDirectories(gitDir.resolve("objects/info"));
        Files.writeString(gitDir.resolve("objects/info/packs"), "", StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
