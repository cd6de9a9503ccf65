package dev.switchboard.bench.live;

import java.util.function.BiConsumer;

/**
 * Assembles server-sent events from lines, per the WHATWG "event stream interpretation": {@code data}
 * lines are joined with {@code \n}, {@code event} names the type, lines starting with {@code :} are
 * comments, a blank line dispatches, and one space after the colon is dropped. {@code id} and
 * {@code retry} are ignored (a load generator never reconnects). Not thread-safe: one per stream.
 *
 * <p>Hand-written because no small, maintained Java library parses SSE from an arbitrary line source:
 * the known ones (OkHttp's and LaunchDarkly's event sources, Spring's codec) each bring their own HTTP
 * client or framework, and the rules fit in this class.
 */
public final class SseParser {
    private final BiConsumer<String, String> onEvent;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String event = "message";

    /** @param onEvent receives (event type, data) for each dispatched event */
    public SseParser(BiConsumer<String, String> onEvent) {
        this.onEvent = onEvent;
    }

    /** Feeds one line, without its terminator. */
    public void line(String line) {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.charAt(0) == ':') {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1 < line.length() && line.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1);
        switch (field) {
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            case "event" -> event = value.isEmpty() ? "message" : value;
            default -> {
                // id, retry and unknown fields do not matter here
            }
        }
    }

    /** Ends the stream: an event without its closing blank line is still delivered. */
    public void end() {
        dispatch();
    }

    private void dispatch() {
        if (hasData) {
            onEvent.accept(event, data.toString());
        }
        data.setLength(0);
        hasData = false;
        event = "message";
    }
}
