package dev.switchboard.contract.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a {@code text/event-stream} byte stream into events, following the WHATWG HTML "event stream
 * interpretation" rules, whatever the chunk boundaries:
 * <ul>
 * <li>one UTF-8 byte order mark at the very start of the stream is dropped;</li>
 * <li>lines end with CRLF, LF or CR;</li>
 * <li>a line starting with {@code :} is a comment; otherwise the field name runs up to the first
 * {@code :} (the whole line if there is none, with an empty value) and one space after the colon is
 * dropped; names are case-sensitive;</li>
 * <li>{@code data} appends its value to the data, joining lines with LF; {@code event} sets the type;
 * {@code id}, {@code retry} and unknown fields are ignored (no caller reconnects with
 * {@code Last-Event-ID});</li>
 * <li>a blank line dispatches the event if at least one {@code data} line was seen (an empty
 * {@code data:} gives an event with empty data), with type {@code "message"} when no or an empty
 * {@code event} was given; then data and type are reset;</li>
 * <li>an event not closed by a blank line when the stream ends is not dispatched (unless the caller
 * opts into {@link #finish()}).</li>
 * </ul>
 *
 * <p>Data stays bytes (JSON is parsed straight from them) and lives in one reused buffer: framing
 * allocates nothing per event once the buffer has grown to the largest event, and event type strings
 * are reused while the stream repeats them. Events whose data exceeds a limit are dropped whole and
 * counted, so a misbehaving peer cannot grow the buffer without bound.
 *
 * <p>Hand-written rather than taken from Spring's {@code ServerSentEventHttpMessageReader} (its line
 * splitting, a nested delimiter matcher run byte by byte, took a third of the scheduler's CPU on large
 * KV events) or OkHttp's and LaunchDarkly's event sources (each brings its own HTTP client), and so
 * that this contract module stays framework-free. Not thread-safe: one framer per stream.
 */
public final class SseFramer {
    /** Receives dispatched events. */
    @FunctionalInterface
    public interface Listener {
        /**
         * One event. {@code data[0, length)} is its data: the framer's own buffer, valid only during
         * this call, so copy what must outlive it.
         *
         * @param type the event type, {@code "message"} when the stream named none
         */
        void onEvent(String type, byte[] data, int length);
    }

    /** What the bytes up to the next line end are. */
    private enum Part {
        /** The field name (or nothing yet: a line end here is a blank line). */
        NAME,
        /** Right after the colon: a space here is dropped. */
        SPACE,
        /** The value of {@code data} or {@code event}. */
        VALUE,
        /** A comment, or a field nobody here uses. */
        SKIP
    }

    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[] LF = {'\n'};
    private static final String MESSAGE = "message";
    private static final int TYPE_CACHE = 4;

    private final Listener listener;
    private final int maxEventBytes;

    /** BOM bytes matched at the start of the stream; -1 once the start is settled. */
    private int bomMatched;
    private boolean afterCr;
    private Part part = Part.NAME;
    /** Only names up to the longest used field are kept: anything longer is skipped. */
    private final byte[] name = new byte[EVENT.length];
    private int nameLength;
    private boolean valueIsData;

    private final Buffer data = new Buffer(256);
    private boolean hasData;
    private final Buffer type = new Buffer(16);
    private boolean tooLong;
    private long oversizedEvents;

    private final String[] typeNames = new String[TYPE_CACHE];
    private final byte[][] typeBytes = new byte[TYPE_CACHE][];
    private int nextTypeSlot;
    /** For buffers without an accessible array (direct or read-only), allocated on first use. */
    private byte[] scratch;

    /**
     * @param maxEventBytes longest data (or type) of one event; longer events are dropped and counted
     * @param listener receives each dispatched event, on the thread that calls {@link #feed}
     */
    public SseFramer(int maxEventBytes, Listener listener) {
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("maxEventBytes must be >= 1, but was " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
        this.listener = listener;
    }

    /**
     * Feeds the next bytes of the stream (its remaining bytes, which are consumed); the events they
     * complete go to the listener before this returns, in order.
     */
    public void feed(ByteBuffer bytes) {
        if (bytes.hasArray()) {
            feed(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.arrayOffset() + bytes.limit());
            bytes.position(bytes.limit());
            return;
        }
        if (scratch == null) {
            scratch = new byte[Math.min(8192, Math.max(bytes.remaining(), 256))];
        }
        while (bytes.hasRemaining()) {
            int n = Math.min(scratch.length, bytes.remaining());
            bytes.get(scratch, 0, n);
            feed(scratch, 0, n);
        }
    }

    /**
     * Ends the stream leniently: a last line without its line end is taken as a line, and an event
     * not closed by a blank line is dispatched. The spec discards both; call this only where a
     * truncated last event is still worth reading (a load generator looking for {@code [DONE]}).
     */
    public void finish() {
        if (bomMatched > 0) {
            process(BOM, 0, bomMatched); // the start was not a BOM after all
        }
        bomMatched = -1;
        endOfLine();
        dispatch();
    }

    /** Events dropped because their data exceeded the limit. */
    public long oversizedEvents() {
        return oversizedEvents;
    }

    private void feed(byte[] bytes, int from, int end) {
        if (bomMatched >= 0) {
            from = skipBom(bytes, from, end);
        }
        process(bytes, from, end);
    }

    /** Drops a BOM at the start of the stream, which may be cut anywhere; returns where content starts. */
    private int skipBom(byte[] bytes, int from, int end) {
        int i = from;
        while (i < end && bomMatched >= 0) {
            if (bytes[i] != BOM[bomMatched]) {
                int held = bomMatched;
                bomMatched = -1;
                process(BOM, 0, held); // the bytes held back were content
                return i;
            }
            i++;
            bomMatched = bomMatched + 1 == BOM.length ? -1 : bomMatched + 1;
        }
        return i;
    }

    private void process(byte[] bytes, int from, int end) {
        int i = from;
        while (i < end) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r') {
                if (b == '\r' || !afterCr) {
                    endOfLine();
                }
                afterCr = b == '\r'; // the LF of a CRLF, even in the next chunk, ends nothing more
                i++;
                continue;
            }
            afterCr = false;
            switch (part) {
                case NAME -> {
                    if (b == ':') {
                        startValue(nameLength > 0);
                    } else if (nameLength < name.length) {
                        name[nameLength++] = b;
                    } else {
                        part = Part.SKIP; // longer than "event": a field nobody here uses
                    }
                    i++;
                }
                case SPACE -> {
                    part = Part.VALUE;
                    if (b == ' ') {
                        i++;
                    }
                }
                case VALUE -> {
                    int stop = lineEnd(bytes, i, end);
                    append(valueIsData ? data : type, bytes, i, stop - i);
                    i = stop;
                }
                case SKIP -> i = lineEnd(bytes, i, end);
            }
        }
    }

    private static int lineEnd(byte[] bytes, int from, int end) {
        int i = from;
        while (i < end && bytes[i] != '\n' && bytes[i] != '\r') {
            i++;
        }
        return i;
    }

    private void endOfLine() {
        if (part == Part.NAME) {
            if (nameLength == 0) {
                dispatch();
            } else {
                startValue(true); // a field without a colon has an empty value
            }
        }
        part = Part.NAME;
        nameLength = 0;
    }

    /** The field name is complete ({@code named} false: the line is a comment). */
    private void startValue(boolean named) {
        if (named && isName(DATA)) {
            if (hasData) {
                append(data, LF, 0, 1);
            }
            hasData = true;
            valueIsData = true;
            part = Part.SPACE;
        } else if (named && isName(EVENT)) {
            type.length = 0;
            valueIsData = false;
            part = Part.SPACE;
        } else {
            part = Part.SKIP;
        }
    }

    private boolean isName(byte[] field) {
        return Arrays.equals(name, 0, nameLength, field, 0, field.length);
    }

    /** Appends to the event's data or type; an event that outgrows the limit is marked to be dropped. */
    private void append(Buffer to, byte[] bytes, int from, int count) {
        if (!tooLong && count > 0 && !to.append(bytes, from, count, maxEventBytes)) {
            tooLong = true;
        }
    }

    private void dispatch() {
        try {
            if (hasData) {
                if (tooLong) {
                    oversizedEvents++;
                } else {
                    listener.onEvent(typeName(), data.bytes, data.length);
                }
            }
        } finally {
            hasData = false;
            data.length = 0;
            type.length = 0;
            tooLong = false;
        }
    }

    /** The type as a string, reused while the stream repeats a few types (load, kv, heartbeat...). */
    private String typeName() {
        if (type.length == 0) {
            return MESSAGE;
        }
        for (int k = 0; k < TYPE_CACHE && typeNames[k] != null; k++) {
            if (Arrays.equals(typeBytes[k], 0, typeBytes[k].length, type.bytes, 0, type.length)) {
                return typeNames[k];
            }
        }
        String decoded = new String(type.bytes, 0, type.length, StandardCharsets.UTF_8);
        typeBytes[nextTypeSlot] = Arrays.copyOf(type.bytes, type.length);
        typeNames[nextTypeSlot] = decoded;
        nextTypeSlot = (nextTypeSlot + 1) % TYPE_CACHE;
        return decoded;
    }

    /** A growable byte buffer, reused from event to event. */
    private static final class Buffer {
        private byte[] bytes;
        private int length;

        Buffer(int capacity) {
            bytes = new byte[capacity];
        }

        /** Appends unless the content would exceed {@code limit}; returns whether it did. */
        boolean append(byte[] from, int offset, int count, int limit) {
            if (length + count > limit) {
                return false;
            }
            if (length + count > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(bytes.length * 2, length + count)));
            }
            System.arraycopy(from, offset, bytes, length, count);
            length += count;
            return true;
        }
    }
}
