package dev.switchboard.adapter.kv;

import java.util.List;

import dev.switchboard.contract.wire.KvEvent;

/** Decodes one engine KV event message payload into normalised {@link KvEvent}s. */
public interface KvEventDecoder {

    /**
     * A decoded payload.
     *
     * @param events        recognised events, in order
     * @param unknownEvents events of a type this decoder does not know (skipped, counted)
     */
    record Decoded(List<KvEvent> events, int unknownEvents) {
        public Decoded {
            events = List.copyOf(events);
        }
    }

    /** A payload that is not a KV event batch at all. */
    final class MalformedPayloadException extends RuntimeException {
        public MalformedPayloadException(String message) {
            super(message);
        }

        public MalformedPayloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Decodes {@code payload}; throws {@link MalformedPayloadException} if it is not a batch. */
    Decoded decode(byte[] payload);
}
