package dev.switchboard.adapter.support;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.switchboard.contract.sse.SseFramer;

/** Reads the adapter's event stream chunks the way a scheduler does: whole frames, whatever the chunk boundaries. */
public final class SseChunks {
    /** One decoded event. */
    public record Event(String type, String data) {
    }

    private SseChunks() {
    }

    public static List<Event> decode(List<byte[]> chunks) {
        List<Event> events = new ArrayList<>();
        SseFramer framer = new SseFramer(1 << 20,
                (type, data, length) -> events.add(new Event(type, new String(data, 0, length, StandardCharsets.UTF_8))));
        chunks.forEach(c -> framer.feed(ByteBuffer.wrap(c)));
        return events;
    }

    public static List<String> types(List<byte[]> chunks) {
        return decode(chunks).stream().map(Event::type).toList();
    }
}
