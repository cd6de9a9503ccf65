package dev.switchboard.bench.live;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.switchboard.bench.report.RequestResult;
import dev.switchboard.contract.sse.SseFramer;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Watches one OpenAI-style SSE stream, framed by the shared {@link SseFramer}, and timestamps what matters: the first non-empty
 * content delta (TTFT), the gaps between content chunks (inter-token latency), {@code usage}, an
 * in-stream {@code error}, and {@code [DONE]}. The HTTP client hands it the body's bytes as they arrive, which is
 * where the timestamps are taken.
 *
 * <p>"Content" is {@code choices[].delta.content}, {@code delta.reasoning_content} / {@code reasoning}
 * (a reasoning model's first token is a token) or, for the completions API, {@code choices[].text}.
 * The role-only first chunk and empty deltas do not count. An event still open when the stream ends
 * is read too (a missing final blank line should not turn a complete answer into a failure). Calls come
 * one at a time, on the connection's event loop; the fields are read once the body has completed, which
 * orders them.
 */
final class StreamObserver {
    /** Longest event read; an OpenAI chunk is a few hundred bytes. */
    private static final int MAX_EVENT = 1 << 20;

    private final ObjectMapper mapper;
    private final long sendNanos;
    private final SseFramer framer = new SseFramer(MAX_EVENT, this::onEvent);

    /** When the bytes being framed arrived. */
    private long chunkNanos;
    private long firstContentNanos = -1;
    private long lastContentNanos = -1;
    private long[] gaps = new long[64];
    private int gapCount;
    private int contentChunks;
    private boolean usageSeen;
    private long completionTokens;
    private long promptTokens;
    private long cachedTokens;
    private long doneNanos = -1;
    private long endNanos = -1;
    private String streamError;

    StreamObserver(ObjectMapper mapper, long sendNanos) {
        this.mapper = mapper;
        this.sendNanos = sendNanos;
    }

    /** Bytes of the body, in order, as they arrived. */
    void onBytes(ByteBuffer bytes) {
        chunkNanos = System.nanoTime();
        framer.feed(bytes);
    }

    /** The body ended. */
    void onComplete() {
        chunkNanos = System.nanoTime();
        framer.finish();
        endNanos = chunkNanos;
    }

    private void onEvent(String type, byte[] bytes, int length) {
        if (doneNanos >= 0) {
            return;
        }
        String data = new String(bytes, 0, length, StandardCharsets.UTF_8);
        if ("[DONE]".equals(data.trim())) {
            doneNanos = chunkNanos;
            return;
        }
        if ("error".equals(type)) {
            streamError = data;
            return;
        }
        JsonNode chunk;
        try {
            chunk = mapper.readTree(data);
        } catch (JacksonException e) {
            streamError = "malformed chunk: " + abbreviate(data);
            return;
        }
        if (chunk.has("error")) {
            streamError = abbreviate(chunk.get("error").toString());
            return;
        }
        boolean content = false;
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode delta = choice.path("delta");
            if (nonEmpty(delta.path("content")) || nonEmpty(delta.path("reasoning_content"))
                    || nonEmpty(delta.path("reasoning")) || nonEmpty(choice.path("text"))) {
                content = true;
            }
        }
        if (content) {
            contentChunks++;
            if (firstContentNanos < 0) {
                firstContentNanos = chunkNanos;
            } else {
                if (gapCount == gaps.length) {
                    gaps = Arrays.copyOf(gaps, gapCount * 2);
                }
                gaps[gapCount++] = chunkNanos - lastContentNanos;
            }
            lastContentNanos = chunkNanos;
        }
        JsonNode usage = chunk.path("usage");
        if (usage.isObject()) {
            usageSeen = true;
            completionTokens = usage.path("completion_tokens").asLong(0);
            promptTokens = usage.path("prompt_tokens").asLong(0);
            cachedTokens = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        }
    }

    private static boolean nonEmpty(JsonNode node) {
        return node.isString() && !node.stringValue().isEmpty();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** The result once the body has completed; {@code error} overrides what the stream says. */
    RequestResult result(String tenant, long sendLagNanos, String error) {
        long end = doneNanos >= 0 ? doneNanos : endNanos >= 0 ? endNanos : System.nanoTime();
        String failure = error;
        if (failure == null && streamError != null) {
            failure = "stream_error";
        }
        if (failure == null && doneNanos < 0) {
            failure = "incomplete_stream";
        }
        if (failure != null) {
            return RequestResult.failed(tenant, failure, sendLagNanos, end - sendNanos);
        }
        return new RequestResult(tenant, null, sendLagNanos, firstContentNanos < 0 ? -1 : firstContentNanos - sendNanos,
                end - sendNanos, Arrays.copyOf(gaps, gapCount), contentChunks,
                usageSeen ? completionTokens : contentChunks, promptTokens, cachedTokens, usageSeen);
    }

    /** The in-stream error text, if any (for diagnostics). */
    String streamError() {
        return streamError;
    }
}
