package dev.cairn.functions.pr.github;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The three GitHub REST calls a preview needs, on {@code java.net.http}: list an issue's comments
 * (to find Cairn's by its hidden marker), create or edit a comment, and set a commit status. A
 * small client on purpose: {@code org.kohsuke:github-api} would add its jar and dependencies to
 * both functions' cold start for three requests (functions/README.md has the figures).
 *
 * <p>The token ({@code CAIRN_GITHUB_TOKEN}) goes in the {@code Authorization} header only, never
 * into a URL, a log line or an exception; {@code CAIRN_GITHUB_API_URL} moves the API (GitHub
 * Enterprise, tests).
 */
public final class GitHubApi implements ForgeApi {
    public static final String DEFAULT_URL = "https://api.github.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final int MAX_PAGES = 10;

    private final URI base;
    private final Supplier<Optional<String>> token;
    private final HttpClient http;

    public GitHubApi(String baseUrl, Supplier<Optional<String>> token) {
        var url = baseUrl == null || baseUrl.isBlank() ? DEFAULT_URL : baseUrl.strip();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A GitHub call answered with an error: the status and GitHub's message, never the token. */
    public static final class GitHubException extends IOException {
        public final int status;

        GitHubException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    @Override
    public java.util.List<Comment> findComments(String repository, long number, String marker) throws IOException, InterruptedException {
        var found = new java.util.ArrayList<Comment>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            var list = send("GET", "repos/" + repo(repository) + "/issues/" + number + "/comments?per_page=100&page=" + page, null);
            if (!list.isArray() || list.isEmpty()) break;
            for (var comment : list) {
                var body = comment.path("body").asText("");
                if (body.contains(marker)) found.add(new Comment(comment.path("id").asLong(), body));
            }
            if (list.size() < 100) break;
        }
        return found;
    }

    @Override
    public Comment createComment(String repository, long number, String body) throws IOException, InterruptedException {
        var created = send("POST", "repos/" + repo(repository) + "/issues/" + number + "/comments", Map.of("body", body));
        return new Comment(created.path("id").asLong(), body);
    }

    @Override
    public void updateComment(String repository, long number, long commentId, String body) throws IOException, InterruptedException {
        send("PATCH", "repos/" + repo(repository) + "/issues/comments/" + commentId, Map.of("body", body));
    }

    @Override
    public void setStatus(String repository, String commit, State state, String context, String description, Optional<String> targetUrl)
            throws IOException, InterruptedException {
        setStatus(repository, commit, state.name().toLowerCase(java.util.Locale.ROOT), context, description, targetUrl.orElse(null));
    }

    /** @param state {@code pending}, {@code success}, {@code failure} or {@code error}; description at most 140 characters */
    public void setStatus(String repository, String commit, String state, String context, String description, String targetUrl)
            throws IOException, InterruptedException {
        if (!COMMIT.matcher(commit).matches()) throw new IllegalArgumentException("not a full commit id: " + commit);
        var body = new LinkedHashMap<String, Object>();
        body.put("state", state);
        body.put("context", context);
        body.put("description", description.length() > 140 ? description.substring(0, 139) + "…" : description);
        if (targetUrl != null && !targetUrl.isBlank()) body.put("target_url", targetUrl);
        send("POST", "repos/" + repo(repository) + "/statuses/" + commit, body);
    }

    @Override
    public Optional<PullRequest> pullRequest(String repository, long number) throws IOException, InterruptedException {
        if (number < 1) throw new IllegalArgumentException("not a pull request number: " + number);
        JsonNode pr;
        try {
            pr = send("GET", "repos/" + repo(repository) + "/pulls/" + number, null);
        } catch (GitHubException e) {
            if (e.status == 404) return Optional.empty();
            throw e;
        }
        var head = pr.path("head");
        var headRepo = head.path("repo");
        var headRepository = headRepo.isObject() && headRepo.path("full_name").isTextual() ? headRepo.path("full_name").asText() : "(deleted)";
        var baseRepository = pr.path("base").path("repo").path("full_name").asText(repository);
        var state = pr.path("merged").asBoolean(false) || !pr.path("merged_at").isMissingNode() && !pr.path("merged_at").isNull()
                ? "merged" : pr.path("state").asText("open").equals("open") ? "open" : "closed";
        var headSha = head.path("sha").asText("");
        if (!COMMIT.matcher(headSha).matches()) throw new IOException("GET pulls/" + number + " answered without a head commit");
        var baseSha = pr.path("base").path("sha").asText("");
        return Optional.of(new PullRequest(number, state, headSha, head.path("ref").asText(""), headRepository,
                !headRepository.equalsIgnoreCase(baseRepository), pr.path("base").path("ref").asText(""),
                COMMIT.matcher(baseSha).matches() ? baseSha : null, pr.path("html_url").asText(null)));
    }

    private JsonNode send(String method, String path, Object body) throws IOException, InterruptedException {
        var builder = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("User-Agent", "cairn");
        token.get().ifPresent(t -> builder.header("Authorization", "Bearer " + t.strip()));
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (body != null) builder.header("Content-Type", "application/json");
        var response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            String message;
            try {
                message = JSON.readTree(response.body()).path("message").asText("");
            } catch (IOException notJson) {
                message = "";
            }
            throw new GitHubException(response.statusCode(), method + " " + path.replaceAll("\\?.*", "") + " answered " + response.statusCode()
                    + (message.isBlank() ? "" : ": " + (message.length() > 200 ? message.substring(0, 200) : message)));
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static String repo(String repository) {
        if (!REPOSITORY.matcher(repository).matches()) throw new IllegalArgumentException("not an OWNER/NAME repository: " + repository);
        var slash = repository.indexOf('/');
        return URLEncoder.encode(repository.substring(0, slash), StandardCharsets.UTF_8) + "/"
                + URLEncoder.encode(repository.substring(slash + 1), StandardCharsets.UTF_8);
    }
}
