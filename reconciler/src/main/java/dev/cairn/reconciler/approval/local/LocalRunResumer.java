package dev.cairn.reconciler.approval.local;

import dev.cairn.reconciler.approval.ApprovalStore;
import dev.cairn.reconciler.approval.RunResumer;
import dev.cairn.reconciler.manifest.Json;
import dev.cairn.reconciler.store.local.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The local side of a task token: the decision is written to {@code DIR/TOKEN.json}
 * ({@code approved} or {@code rejected}, with who decided), where the local executor of
 * {@code cairn serve} waits for it. It resumes nothing by itself; the executor reads the answer
 * with {@link #answer(String)}. Local tokens are opaque ids, never paths.
 */
public final class LocalRunResumer implements RunResumer {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    /** What the waiting step reads. */
    public record Answer(String token, String infrastructure, String runId, String stage, String outcome, String decidedBy,
                         String reason) {
    }

    private final Path dir;

    public LocalRunResumer(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    @Override
    public void approved(ApprovalStore.Approval approval) {
        answer(approval, "approved");
    }

    @Override
    public void rejected(ApprovalStore.Approval approval) {
        answer(approval, "rejected");
    }

    /** The answer to {@code token}, once given. */
    public Optional<Answer> answer(String token) {
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(file(token)), Answer.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void answer(ApprovalStore.Approval approval, String outcome) {
        var answer = new Answer(approval.taskToken(), approval.infrastructure(), approval.runId(), approval.stage(), outcome,
                approval.decidedBy(), approval.reason());
        try {
            AtomicFiles.write(file(approval.taskToken()), Json.MAPPER.writeValueAsBytes(answer));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException("not a local task token (expected [A-Za-z0-9_-]{1,128})");
        }
        return dir.resolve(token + ".json");
    }
}
