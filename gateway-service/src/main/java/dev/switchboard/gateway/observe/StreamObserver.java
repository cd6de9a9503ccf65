package dev.switchboard.gateway.observe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Watches the bytes of an OpenAI response as they are relayed, without holding them back: for SSE
 * it splits {@code data:} lines, timestamps the first and every later content chunk (TTFT and
 * inter-token gaps) by looking for a non-empty {@code content}/{@code text} value, and parses JSON
 * only for the one chunk that carries {@code usage}; for a plain JSON answer it keeps the body up
 * to a limit and reads {@code usage} at the end. Not thread-safe: one response, one writer.
 */
public final class StreamObserver {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] CONTENT = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT = "\"text\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE = "\"usage\":{".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "\"error\":".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_JSON_BODY = 1 << 20;
    private static final int MAX_LINE = 1 << 20;

    /** Receives timing events as they are observed. */
    public interface Listener {
        /** A content chunk arrived; {@code gapNanos} since the previous one, or -1 for the first. */
        void onToken(long nanos, long gapNanos);
    }

    private final boolean sse;
    private final long startNanos;
    private final Listener listener;
    /** The current SSE line (unsynchronised: one writer, so no ByteArrayOutputStream). */
    private byte[] line = new byte[512];
    private int lineLength;
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
        this.sse = sse;
        this.startNanos = startNanos;
        this.listener = listener;
    }

    /** Observes the next relayed bytes. */
    public void onBytes(byte[] bytes, int offset, int length, long nowNanos) {
        if (!sse) {
            if (firstTokenNanos < 0 && length > 0) {
                firstTokenNanos = nowNanos;
            }
            if (!jsonOverflow && json.size() + length <= MAX_JSON_BODY) {
                json.write(bytes, offset, length);
            } else {
                jsonOverflow = true;
            }
            return;
        }
        int end = offset + length;
        int from = offset;
        while (from < end) {
            int newline = from;
            while (newline < end && bytes[newline] != '\n') {
                newline++;
            }
            append(bytes, from, newline - from);
            if (newline == end) {
                return;
            }
            onLine(line, lineLength, nowNanos);
            lineLength = 0;
            from = newline + 1;
        }
    }

    private void append(byte[] bytes, int from, int count) {
        int room = MAX_LINE - lineLength;
        int n = Math.min(count, room);
        if (n <= 0) {
            return;
        }
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, Math.min(MAX_LINE, Math.max(line.length * 2, lineLength + n)));
        }
        System.arraycopy(bytes, from, line, lineLength, n);
        lineLength += n;
    }

    /** The response is complete (reads {@code usage} of a plain JSON answer). */
    public void onComplete() {
        if (!sse && !jsonOverflow && json.size() > 0) {
            byte[] body = json.toByteArray();
            readUsage(body, 0, body.length);
        }
    }

    private void onLine(byte[] l, int length, long nowNanos) {
        if (length > 0 && l[length - 1] == '\r') {
            length--;
        }
        if (length < 5 || l[0] != 'd' || l[1] != 'a' || l[2] != 't' || l[3] != 'a' || l[4] != ':') {
            return;
        }
        if (indexOf(l, length, ERROR) >= 0) {
            sawError = true;
        }
        if (hasNonEmptyValue(l, length, CONTENT) || hasNonEmptyValue(l, length, TEXT)) {
            long gap = lastTokenNanos < 0 ? -1 : nowNanos - lastTokenNanos;
            if (firstTokenNanos < 0) {
                firstTokenNanos = nowNanos;
            }
            lastTokenNanos = nowNanos;
            contentChunks++;
            listener.onToken(nowNanos, gap);
        }
        if (indexOf(l, length, USAGE) >= 0) {
            readUsage(l, 5, length - 5);
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
