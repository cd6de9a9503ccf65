package dev.switchboard.scheduler.datalayer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a {@code text/event-stream} byte stream into events, following the WHATWG framing rules: lines
 * end with LF, CRLF or CR; {@code event:} sets the type, {@code data:} lines are joined with LF, one
 * space after the colon is dropped, comments ({@code :...}) and other fields are ignored, and a blank
 * line dispatches the event. The data stays bytes, so JSON is parsed straight from them.
 *
 * <p>Written by hand rather than through Spring's {@code ServerSentEventHttpMessageReader}: its line
 * splitting (a nested delimiter matcher run byte by byte) took a third of the scheduler's CPU when
 * engines published KV events for long prompts (tens of kilobytes per event). Not thread-safe: one
 * framer per connection.
 */
final class SseFramer {
    /** One dispatched event; {@code type} is {@code "message"} when the stream named none. */
    record Event(String type, byte[] data) {
    }

    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

    private final int maxEventBytes;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean lineTooLong;
    private boolean afterCr;
    private String type;
    private byte[] data = new byte[256];
    private int dataLength = -1;
    private boolean eventTooLong;
    private long oversizedEvents;

    /** @param maxEventBytes longest data of one event; longer events are dropped and counted */
    SseFramer(int maxEventBytes) {
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("maxEventBytes must be >= 1, but was " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
    }

    /** Feeds the next bytes of the stream; returns the events they complete, in order. */
    List<Event> feed(byte[] bytes, int offset, int length) {
        List<Event> out = List.of();
        int end = offset + length;
        int from = offset;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b != '\n' && b != '\r') {
                continue;
            }
            if (b == '\n' && afterCr && i == from && lineLength == 0) {
                afterCr = false; // the LF of a CRLF split across two reads
                from = i + 1;
                continue;
            }
            append(bytes, from, i - from);
            Event event = endOfLine();
            if (event != null) {
                if (out.isEmpty()) {
                    out = new ArrayList<>(2);
                }
                out.add(event);
            }
            afterCr = b == '\r';
            if (afterCr && i + 1 < end && bytes[i + 1] == '\n') {
                i++;
                afterCr = false;
            }
            from = i + 1;
        }
        if (from < end) {
            afterCr = false;
            append(bytes, from, end - from);
        }
        return out;
    }

    /** Events dropped because their data exceeded the limit. */
    long oversizedEvents() {
        return oversizedEvents;
    }

    private void append(byte[] bytes, int from, int count) {
        if (count == 0 || lineTooLong) {
            return;
        }
        // a line can be at most the event limit plus its field name
        if (lineLength + count > maxEventBytes + 16) {
            lineTooLong = true;
            return;
        }
        if (lineLength + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
        }
        System.arraycopy(bytes, from, line, lineLength, count);
        lineLength += count;
    }

    /** Processes the completed line; returns the event a blank line dispatches, if any. */
    private Event endOfLine() {
        try {
            if (lineTooLong) {
                eventTooLong = true;
                return null;
            }
            if (lineLength == 0) {
                return dispatch();
            }
            if (line[0] == ':') {
                return null;
            }
            int colon = 0;
            while (colon < lineLength && line[colon] != ':') {
                colon++;
            }
            int valueStart = colon == lineLength ? lineLength : colon + 1;
            if (valueStart < lineLength && line[valueStart] == ' ') {
                valueStart++;
            }
            if (isField(DATA, colon)) {
                addData(valueStart);
            } else if (isField(EVENT, colon)) {
                type = new String(line, valueStart, lineLength - valueStart, StandardCharsets.UTF_8);
            }
            return null;
        } finally {
            lineLength = 0;
            lineTooLong = false;
        }
    }

    private boolean isField(byte[] name, int nameLength) {
        return nameLength == name.length && Arrays.equals(line, 0, nameLength, name, 0, nameLength);
    }

    private void addData(int valueStart) {
        int count = lineLength - valueStart;
        int separator = dataLength < 0 ? 0 : 1;
        int current = Math.max(dataLength, 0);
        if (eventTooLong || current + separator + count > maxEventBytes) {
            eventTooLong = true;
            return;
        }
        if (current + separator + count > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, current + separator + count));
        }
        if (separator == 1) {
            data[current] = '\n';
        }
        System.arraycopy(line, valueStart, data, current + separator, count);
        dataLength = current + separator + count;
    }

    private Event dispatch() {
        Event event = null;
        if (eventTooLong) {
            oversizedEvents++;
        } else if (dataLength >= 0 || type != null) {
            byte[] payload = dataLength < 0 ? new byte[0] : Arrays.copyOf(data, dataLength);
            event = new Event(type == null ? "message" : type, payload);
        }
        type = null;
        dataLength = -1;
        eventTooLong = false;
        return event;
    }
}
