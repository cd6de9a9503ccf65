package dev.switchboard.contract.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the gateway tells the scheduler about one client request: only what routing needs, never
 * the prompt itself.
 *
 * @param requestId         gateway-assigned id, unique per client request (retries keep it)
 * @param model             requested model (base model or LoRA name)
 * @param tenant            tenant id resolved from the API key ({@code anonymous} in open mode)
 * @param priority          client-requested priority; higher is more urgent; 0 is the default band
 * @param promptTokens      estimated prompt tokens (see {@code Tokenizer})
 * @param maxTokens         requested output cap, or 0 when the client set none
 * @param blockHashes       chained prompt block hashes from {@code PromptBlocks}
 * @param sessionId         client session or user id for affinity, empty if none
 * @param stream            whether the client asked for a streamed answer
 * @param excludedEndpoints endpoint ids that already failed this request (retries)
 */
public record ScheduleRequest(
        String requestId,
        String model,
        String tenant,
        int priority,
        int promptTokens,
        int maxTokens,
        long[] blockHashes,
        String sessionId,
        boolean stream,
        List<String> excludedEndpoints) {

    public ScheduleRequest {
        Objects.requireNonNull(requestId, "requestId");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        tenant = tenant == null || tenant.isBlank() ? "anonymous" : tenant;
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens must be >= 0, but was " + promptTokens);
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0, but was " + maxTokens);
        }
        blockHashes = blockHashes == null ? new long[0] : blockHashes.clone();
        sessionId = sessionId == null ? "" : sessionId;
        excludedEndpoints = excludedEndpoints == null ? List.of() : List.copyOf(excludedEndpoints);
    }

    @Override
    public long[] blockHashes() {
        return blockHashes.clone();
    }

    /** Context the request needs: its prompt plus its output cap (at least the one token every answer has). */
    public long contextTokens() {
        return (long) promptTokens + Math.max(1, maxTokens);
    }

    /** Number of full prompt blocks, without copying the hashes. */
    public int blockCount() {
        return blockHashes.length;
    }

    /** The hash of block {@code index}, without copying the hashes. */
    public long blockHash(int index) {
        return blockHashes[index];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScheduleRequest r && requestId.equals(r.requestId) && model.equals(r.model)
                && tenant.equals(r.tenant) && priority == r.priority && promptTokens == r.promptTokens
                && maxTokens == r.maxTokens && Arrays.equals(blockHashes, r.blockHashes)
                && sessionId.equals(r.sessionId) && stream == r.stream
                && excludedEndpoints.equals(r.excludedEndpoints);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, model, tenant, priority, promptTokens, maxTokens,
                Arrays.hashCode(blockHashes), sessionId, stream, excludedEndpoints);
    }

    @Override
    public String toString() {
        return "ScheduleRequest[requestId=" + requestId + ", model=" + model + ", tenant=" + tenant
                + ", priority=" + priority + ", promptTokens=" + promptTokens + ", maxTokens=" + maxTokens
                + ", blocks=" + blockHashes.length + ", sessionId=" + sessionId + ", stream=" + stream
                + ", excludedEndpoints=" + excludedEndpoints + "]";
    }
}
