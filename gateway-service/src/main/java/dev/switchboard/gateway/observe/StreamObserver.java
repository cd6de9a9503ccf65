package dev.switchboard.gateway.observe;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.switchboard.contract.sse.SseFramer;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Watches the bytes of an OpenAI response as they are relayed, without holding them back: for SSE
 * it frames events with the shared {@link SseFramer}, timestamps the first and every later content
 * event (TTFT and inter-token gaps) by looking for a non-empty {@code content}/{@code text} value,
 * and parses JSON only for the one event that carries {@code usage}; for a plain JSON answer it keeps
 * the body up to a limit and reads {@code usage} at the end. An event counts when its closing blank
 * line arrives (engines send both in one write). Not thread-safe: one response, one writer.
 */
public final class StreamObserver {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] CONTENT = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT = "\"text\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE = "\"usage\":{".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "\"error\":".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_JSON_BODY = 1 << 20;
    /** A larger event is relayed but not observed (an OpenAI chunk is a few hundred bytes). */
    private static final int MAX_EVENT = 1 << 20;

    /** Receives timing events as they are observed. */
    public interface Listener {
        /** A content chunk arrived; {@code gapNanos} since the previous one, or -1 for the first. */
        void onToken(long nanos, long gapNanos);
    }

    private final long startNanos;
    private final Listener listener;
    /** Frames an SSE answer; {@code null} for a plain JSON one. */
    private final SseFramer events;
    /** When the bytes being framed arrived. */
    private long chunkNanos;
    private final ByteArrayOutputStream json = new ByteArrayOutputStream();
    private long firstTokenNanos = -1;
    private long lastTokenNanos = -1;
    private int contentChunks;
    private int promptTokens = -1;
    private int completionTokens = -1;
    private int cachedTokens = -1;
    private boolean sawError;
    private boolean jsonOverflow;

    public StreamObserver(boolean sse, long startNanos, Listener listener) {
        this.startNanos = startNanos;
        this.listener = listener;
        this.events = sse ? new SseFramer(MAX_EVENT, this::onEvent) : null;
    }

    /** Observes the next relayed bytes: what remains of {@code bytes}, a view of the relayed buffer. */
    public void onBytes(ByteBuffer bytes, long nowNanos) {
        if (events != null) {
            chunkNanos = nowNanos;
            events.feed(bytes);
            return;
        }
        int length = bytes.remaining();
        if (firstTokenNanos < 0 && length > 0) {
            firstTokenNanos = nowNanos;
        }
        if (!jsonOverflow && json.size() + length <= MAX_JSON_BODY) {
            byte[] copy = new byte[length];
            bytes.get(copy);
            json.write(copy, 0, length);
        } else {
            jsonOverflow = true;
        }
    }

    /** The response is complete (reads {@code usage} of a plain JSON answer). */
    public void onComplete() {
        if (events == null && !jsonOverflow && json.size() > 0) {
            byte[] body = json.toByteArray();
            readUsage(body, 0, body.length);
        }
    }

    private void onEvent(String type, byte[] data, int length) {
        if (indexOf(data, length, ERROR) >= 0) {
            sawError = true;
        }
        if (hasNonEmptyValue(data, length, CONTENT) || hasNonEmptyValue(data, length, TEXT)) {
            long gap = lastTokenNanos < 0 ? -1 : chunkNanos - lastTokenNanos;
            if (firstTokenNanos < 0) {
                firstTokenNanos = chunkNanos;
            }
            lastTokenNanos = chunkNanos;
            contentChunks++;
            listener.onToken(chunkNanos, gap);
        }
        if (indexOf(data, length, USAGE) >= 0) {
            readUsage(data, 0, length);
        }
    }

    /** Reads the top-level {@code usage} object of one JSON document. */
    private void readUsage(byte[] doc, int offset, int length) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), doc, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("usage".equals(name) && value == JsonToken.START_OBJECT) {
                    readUsageObject(p);
                } else {
                    p.skipChildren();
                }
            }
        } catch (RuntimeException malformed) {
            // an engine's malformed chunk is relayed as-is; usage just stays unknown
        }
    }

    private void readUsageObject(JsonParser p) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "prompt_tokens" -> promptTokens = intOr(p, value, promptTokens);
                case "completion_tokens" -> completionTokens = intOr(p, value, completionTokens);
                case "prompt_tokens_details" -> {
                    if (value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                            String detail = p.currentName();
                            JsonToken v = p.nextToken();
                            if ("cached_tokens".equals(detail)) {
                                cachedTokens = intOr(p, v, cachedTokens);
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (cachedTokens < 0 && promptTokens >= 0) {
            cachedTokens = 0; // vLLM sends prompt_tokens_details: null when nothing was cached
        }
    }

    private static int intOr(JsonParser p, JsonToken value, int fallback) {
        return value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : fallback;
    }

    private static boolean hasNonEmptyValue(byte[] l, int length, byte[] key) {
        int at = indexOf(l, length, key);
        return at >= 0 && at + key.length < length && l[at + key.length] != '"';
    }

    private static int indexOf(byte[] haystack, int length, byte[] needle) {
        outer:
        for (int i = 0; i <= length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Time to the first content chunk (SSE) or first byte (JSON) in milliseconds, -1 if none. */
    public long ttftMillis() {
        return firstTokenNanos < 0 ? -1 : (firstTokenNanos - startNanos) / 1_000_000;
    }

    public int contentChunks() {
        return contentChunks;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int completionTokens() {
        return completionTokens;
    }

    public int cachedTokens() {
        return cachedTokens;
    }

    /** Whether an error frame was relayed inside the stream. */
    public boolean sawError() {
        return sawError;
    }

    /** Whether any content reached the client (after which a retry is impossible). */
    public boolean started() {
        return firstTokenNanos >= 0;
    }
}
