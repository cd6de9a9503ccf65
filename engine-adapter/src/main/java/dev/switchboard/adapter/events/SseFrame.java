package dev.switchboard.adapter.events;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One event of the stream, encoded once as {@code text/event-stream} bytes and shared by every
 * subscriber: {@code event: <type>}, one {@code data: } line per line of the data, a blank line. The space
 * after each colon is the one a reader drops, so data that starts with a space keeps it.
 *
 * @param type  the event type (what a dropped frame is counted as)
 * @param bytes the encoded frame, ending with the blank line that dispatches it
 */
record SseFrame(String type, byte[] bytes) {
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);

    /**
     * Encodes UTF-8 {@code data}; its line ends (LF, CR or CRLF) start new {@code data:} lines, as SSE
     * requires (compact JSON has none, so it is copied in one piece).
     */
    static SseFrame of(String type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + type.length() + 16);
        out.writeBytes(("event: " + type).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(DATA);
        int lineStart = 0;
        for (int i = 0; i < data.length; i++) {
            byte b = data[i];
            if (b == '\r' || b == '\n') { // in UTF-8 these bytes are never part of another character
                out.write(data, lineStart, i - lineStart);
                out.writeBytes(DATA);
                if (b == '\r' && i + 1 < data.length && data[i + 1] == '\n') {
                    i++;
                }
                lineStart = i + 1;
            }
        }
        out.write(data, lineStart, data.length - lineStart);
        out.write('\n');
        out.write('\n');
        return new SseFrame(type, out.toByteArray());
    }
}
