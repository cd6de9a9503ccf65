package dev.switchboard.gateway.routing;

import java.util.Objects;

/**
 * What routing needs from one client request, parsed once from the body. The body itself is
 * forwarded unchanged.
 *
 * @param requestId    gateway-assigned id
 * @param chat         {@code /v1/chat/completions} (true) or {@code /v1/completions}
 * @param model        requested model
 * @param stream       client asked for SSE
 * @param maxTokens    output cap ({@code max_completion_tokens} or {@code max_tokens}), 0 if unset
 * @param priority     client priority (vLLM's {@code priority} field), {@code null} if unset
 * @param sessionId    {@code user} field, empty if unset
 * @param promptTokens estimated prompt tokens
 * @param blockHashes  prompt block hashes from {@code PromptBlocks}
 */
public record RoutingRequest(String requestId, boolean chat, String model, boolean stream, int maxTokens, Integer priority,
        String sessionId, int promptTokens, long[] blockHashes) {

    /** Exchange attribute under which the parsed request is stored. */
    public static final String ATTRIBUTE = RoutingRequest.class.getName();

    public RoutingRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(blockHashes, "blockHashes");
    }
}
