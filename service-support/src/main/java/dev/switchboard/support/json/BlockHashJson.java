package dev.switchboard.support.json;

import dev.switchboard.contract.wire.BlockHashEncoding;
import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.ScheduleRequest;
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
 * The JSON form of the wire records that carry prompt block hashes, {@link KvEvent} (adapter event stream)
 * and {@link ScheduleRequest} (gateway to scheduler): {@code blockHashes} as one {@link BlockHashEncoding}
 * string (base64 of 8-byte big-endian values) instead of a number array. A 200 KB prompt has 3,200 blocks:
 * 34 KB of base64 decoded in one pass, instead of ~64 KB of 19-digit numbers parsed one by one.
 *
 * <p>Register {@link #module()} on every mapper that writes or reads them; the services get it through
 * {@link BlockHashJsonAutoConfiguration} on Boot's mapper. Reading also accepts the number array that
 * older adapters and gateways send (upgrade schedulers first); a malformed string is a
 * {@code DatabindException} naming the problem.
 */
public final class BlockHashJson {
    private BlockHashJson() {
    }

    /** A Jackson module that gives {@link KvEvent#blockHashes()} and {@link ScheduleRequest#blockHashes()} their wire encoding. */
    public static JacksonModule module() {
        return new SimpleModule("switchboard-block-hashes")
                .setMixInAnnotation(KvEvent.class, BlockHashesMixin.class)
                .setMixInAnnotation(ScheduleRequest.class, BlockHashesMixin.class);
    }

    /** The {@code blockHashes} component of a wire record. */
    abstract static class BlockHashesMixin {
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
                return ctxt.readValue(p, long[].class); // adapters and gateways before the string encoding
            }
            return ctxt.reportInputMismatch(this, "blockHashes must be a base64 string, not %s", token);
        }
    }
}
