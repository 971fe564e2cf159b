package dev.cairn.functions.pr.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.functions.pr.ForgeApi;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The GitLab REST (v4) calls a preview needs, on {@code java.net.http}, for the same reason as
 * {@code GitHubApi} (no client library in the functions' cold start for four requests): merge
 * request notes (list, create, edit) and commit statuses. The project is addressed by its
 * URL-encoded path ({@code acme%2Finfra}). The token ({@code CAIRN_GITLAB_TOKEN}) goes in the
 * {@code PRIVATE-TOKEN} header only; {@code CAIRN_GITLAB_API_URL} is the instance's API base
 * (default {@code https://gitlab.com/api/v4}).
 */
public final class GitLabApi implements ForgeApi {
    public static final String DEFAULT_URL = "https://gitlab.com/api/v4";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9_.-]{1,255}(/[A-Za-z0-9_.-]{1,255}){1,20}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final int MAX_PAGES = 10;

    private final URI base;
    private final Supplier<Optional<String>> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public GitLabApi(String baseUrl, Supplier<Optional<String>> token) {
        var url = baseUrl == null || baseUrl.isBlank() ? DEFAULT_URL : baseUrl.strip();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.token = token;
    }

    @Override
    public List<Comment> findComments(String repository, long number, String marker) throws IOException, InterruptedException {
        var found = new ArrayList<Comment>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            var list = send("GET", notes(repository, number) + "?per_page=100&sort=asc&order_by=created_at&page=" + page, null);
            if (!list.isArray() || list.isEmpty()) break;
            for (var note : list) {
                var body = note.path("body").asText("");
                if (body.contains(marker)) found.add(new Comment(note.path("id").asLong(), body));
            }
            if (list.size() < 100) break;
        }
        return found;
    }

    @Override
    public Comment createComment(String repository, long number, String body) throws IOException, InterruptedException {
        var created = send("POST", notes(repository, number), Map.of("body", body));
        return new Comment(created.path("id").asLong(), body);
    }

    @Override
    public void updateComment(String repository, long number, long commentId, String body) throws IOException, InterruptedException {
        send("PUT", notes(repository, number) + "/" + commentId, Map.of("body", body));
    }

    @Override
    public void setStatus(String repository, String commit, State state, String context, String description, Optional<String> targetUrl)
            throws IOException, InterruptedException {
        if (!COMMIT.matcher(commit).matches()) throw new IllegalArgumentException("not a full commit id: " + commit);
        var body = new LinkedHashMap<String, Object>();
        body.put("state", switch (state) {
            case PENDING -> "running";
            case SUCCESS -> "success";
            case FAILURE -> "failed";
        });
        body.put("name", context);
        body.put("description", description.length() > 255 ? description.substring(0, 254) + "…" : description);
        targetUrl.filter(u -> !u.isBlank()).ifPresent(u -> body.put("target_url", u));
        send("POST", "projects/" + project(repository) + "/statuses/" + commit, body);
    }

    @Override
    public Optional<PullRequest> pullRequest(String repository, long number) throws IOException, InterruptedException {
        if (number < 1) throw new IllegalArgumentException("not a merge request iid: " + number);
        JsonNode mr;
        try {
            mr = send("GET", "projects/" + project(repository) + "/merge_requests/" + number, null);
        } catch (GitLabException e) {
            if (e.status == 404) return Optional.empty();
            throw e;
        }
        var state = switch (mr.path("state").asText("opened")) {
            case "opened", "locked" -> "open";
            case "merged" -> "merged";
            default -> "closed";
        };
        var sha = mr.path("sha").asText("");
        if (!COMMIT.matcher(sha).matches()) throw new IOException("GET merge_requests/" + number + " answered without a head commit");
        var source = mr.path("source_project_id").asLong(-1);
        var fromFork = source != mr.path("target_project_id").asLong(-2);
        // the MR carries no base branch commit (diff_refs.base_sha is the merge base): the target's tip is fetched, as for the hook
        return Optional.of(new PullRequest(number, state, sha, mr.path("source_branch").asText(""),
                fromFork ? "project " + source : repository, fromFork, mr.path("target_branch").asText(""), null,
                mr.path("web_url").asText(null)));
    }

    /** A GitLab call answered with an error: the status and GitLab's message, never the token. */
    public static final class GitLabException extends IOException {
        public final int status;

        GitLabException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static String notes(String repository, long number) {
        return "projects/" + project(repository) + "/merge_requests/" + number + "/notes";
    }

    private static String project(String repository) {
        if (!PROJECT.matcher(repository).matches()) throw new IllegalArgumentException("not a GROUP/PROJECT path: " + repository);
        return URLEncoder.encode(repository, StandardCharsets.UTF_8);
    }

    private JsonNode send(String method, String path, Object body) throws IOException, InterruptedException {
        var builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json").header("User-Agent", "cairn");
        token.get().ifPresent(t -> builder.header("PRIVATE-TOKEN", t.strip()));
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (body != null) builder.header("Content-Type", "application/json");
        var response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            String message;
            try {
                var tree = JSON.readTree(response.body());
                message = tree.path("message").isTextual() ? tree.path("message").asText() : tree.path("message").toString();
            } catch (IOException notJson) {
                message = "";
            }
            throw new GitLabException(response.statusCode(), method + " " + path.replaceAll("\\?.*", "") + " answered " + response.statusCode()
                    + (message.isBlank() || message.equals("null") ? "" : ": " + (message.length() > 200 ? message.substring(0, 200) : message)));
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
