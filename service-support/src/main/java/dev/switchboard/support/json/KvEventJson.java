package dev.switchboard.support.json;

import dev.switchboard.contract.wire.BlockHashEncoding;
import dev.switchboard.contract.wire.KvEvent;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonSerialize;
import tools.jackson.databind.module.SimpleModule;

/**
 * The JSON form of {@link KvEvent} on the adapter event stream: {@code blockHashes} as one
 * {@link BlockHashEncoding} string (base64 of 8-byte big-endian values) instead of a number array.
 * Register {@link #module()} on every mapper that writes or reads {@code kv} events (the adapter's,
 * the scheduler's). Reading also accepts the number array older adapters send; a malformed string is
 * a {@code DatabindException} naming the problem.
 */
public final class KvEventJson {
    private KvEventJson() {
    }

    /** A Jackson module that gives {@link KvEvent#blockHashes()} its wire encoding. */
    public static JacksonModule module() {
        return new SimpleModule("switchboard-kv-event").setMixInAnnotation(KvEvent.class, KvEventMixin.class);
    }

    abstract static class KvEventMixin {
        @JsonSerialize(using = BlockHashesSerializer.class)
        @JsonDeserialize(using = BlockHashesDeserializer.class)
        abstract long[] blockHashes();
    }

    static final class BlockHashesSerializer extends ValueSerializer<long[]> {
        @Override
        public void serialize(long[] hashes, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeString(BlockHashEncoding.encode(hashes));
        }
    }

    static final class BlockHashesDeserializer extends ValueDeserializer<long[]> {
        @Override
        public long[] deserialize(JsonParser p, DeserializationContext ctxt) {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_STRING) {
                try {
                    return BlockHashEncoding.decode(p.getString());
                } catch (IllegalArgumentException e) {
                    return ctxt.reportInputMismatch(this, "%s", e.getMessage());
                }
            }
            if (token == JsonToken.START_ARRAY) {
                return ctxt.readValue(p, long[].class); // adapters before the string encoding
            }
            return ctxt.reportInputMismatch(this, "blockHashes must be a base64 string, not %s", token);
        }
    }
}
