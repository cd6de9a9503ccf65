package dev.switchboard.adapter.kv;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.MapValue;
import org.msgpack.value.Value;
import org.msgpack.value.ValueType;

import dev.switchboard.contract.wire.KvEvent;

/**
 * Decodes vLLM / SGLang KV event batches (msgspec msgpack; {@code research/engine-protocols.md} 3.2).
 * The batch is {@code [ts, [events], dp_rank?]} (a map {@code {ts, events, data_parallel_rank}} is
 * accepted too). Each event comes in either encoding:
 * <ul>
 *   <li>positional (vLLM up to mid-2026, {@code array_like=True}):
 *       {@code ["BlockStored", hashes, parent, token_ids, block_size, lora_id, medium, ...]},
 *       {@code ["BlockRemoved", hashes, medium, ...]}, {@code ["AllBlocksCleared"]}, trailing
 *       defaults omitted;</li>
 *   <li>keyed (vLLM PR #42892 onwards, SGLang): a map with {@code "type"} and field names.</li>
 * </ul>
 * Hashes are unsigned 64-bit integers (kept as the same 64 bits in a {@code long}), signed 64-bit
 * integers (SGLang), or raw bytes when {@code VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES=0} (the last 8
 * bytes, big-endian, as llm-d does).
 */
public final class MsgpackKvEventDecoder implements KvEventDecoder {
    private final KvEvent.HashSpace hashSpace;

    public MsgpackKvEventDecoder(KvEvent.HashSpace hashSpace) {
        this.hashSpace = hashSpace;
    }

    @Override
    public Decoded decode(byte[] payload) {
        Value batch;
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(payload)) {
            batch = unpacker.unpackValue();
            if (unpacker.hasNext()) {
                throw new MalformedPayloadException("trailing bytes after the event batch");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof MalformedPayloadException m) {
                throw m;
            }
            throw new MalformedPayloadException("not msgpack: " + e.getMessage(), e);
        }
        Value events = switch (batch.getValueType()) {
            case ARRAY -> {
                ArrayValue a = batch.asArrayValue();
                if (a.size() < 2) {
                    throw new MalformedPayloadException("event batch array has " + a.size() + " elements, expected [ts, events, ...]");
                }
                yield a.get(1);
            }
            case MAP -> field(batch.asMapValue(), "events");
            default -> throw new MalformedPayloadException("event batch is a " + batch.getValueType() + ", expected an array");
        };
        if (events == null || !events.isArrayValue()) {
            throw new MalformedPayloadException("event batch has no event list");
        }
        List<KvEvent> out = new ArrayList<>();
        int unknown = 0;
        for (Value event : events.asArrayValue()) {
            KvEvent e = switch (event.getValueType()) {
                case ARRAY -> positional(event.asArrayValue());
                case MAP -> keyed(event.asMapValue());
                default -> throw new MalformedPayloadException("event is a " + event.getValueType());
            };
            if (e == null) {
                unknown++;
            } else {
                out.add(e);
            }
        }
        return new Decoded(out, unknown);
    }

    private KvEvent positional(ArrayValue a) {
        if (a.size() == 0 || !a.get(0).isStringValue()) {
            throw new MalformedPayloadException("positional event without a type tag");
        }
        String type = a.get(0).asStringValue().asString();
        return switch (type) {
            case "BlockStored" -> new KvEvent(KvEvent.Kind.STORED, hashes(at(a, 1)), optionalHash(at(a, 2)),
                    intOrZero(at(a, 4)), string(at(a, 6)), hashSpace);
            case "BlockRemoved" -> new KvEvent(KvEvent.Kind.REMOVED, hashes(at(a, 1)), null, 0, string(at(a, 2)), hashSpace);
            case "AllBlocksCleared" -> new KvEvent(KvEvent.Kind.CLEARED, null, null, 0, null, hashSpace);
            default -> null;
        };
    }

    private KvEvent keyed(MapValue m) {
        Value tag = field(m, "type");
        if (tag == null || !tag.isStringValue()) {
            throw new MalformedPayloadException("keyed event without a \"type\"");
        }
        return switch (tag.asStringValue().asString()) {
            case "BlockStored" -> new KvEvent(KvEvent.Kind.STORED, hashes(field(m, "block_hashes")),
                    optionalHash(field(m, "parent_block_hash")), intOrZero(field(m, "block_size")), string(field(m, "medium")),
                    hashSpace);
            case "BlockRemoved" -> new KvEvent(KvEvent.Kind.REMOVED, hashes(field(m, "block_hashes")), null, 0,
                    string(field(m, "medium")), hashSpace);
            case "AllBlocksCleared" -> new KvEvent(KvEvent.Kind.CLEARED, null, null, 0, null, hashSpace);
            default -> null;
        };
    }

    private static Value at(ArrayValue a, int index) {
        return index < a.size() ? a.get(index) : null;
    }

    private static Value field(MapValue m, String name) {
        for (Map.Entry<Value, Value> e : m.entrySet()) {
            if (e.getKey().isStringValue() && e.getKey().asStringValue().asString().equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static long[] hashes(Value v) {
        if (v == null || v.isNilValue()) {
            return new long[0];
        }
        if (!v.isArrayValue()) {
            throw new MalformedPayloadException("block_hashes is a " + v.getValueType() + ", expected an array");
        }
        ArrayValue a = v.asArrayValue();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = hash(a.get(i));
        }
        return out;
    }

    private static Long optionalHash(Value v) {
        return v == null || v.isNilValue() ? null : hash(v);
    }

    /** One hash as 64 bits: integers keep their low 64 bits, byte strings their last 8 bytes (big-endian). */
    static long hash(Value v) {
        if (v.getValueType() == ValueType.INTEGER) {
            var i = v.asIntegerValue();
            if (i.isInLongRange()) {
                return i.toLong();
            }
            BigInteger big = i.toBigInteger(); // uint64 above Long.MAX_VALUE
            return big.longValue();
        }
        if (v.getValueType() == ValueType.BINARY) {
            byte[] b = v.asBinaryValue().asByteArray();
            long h = 0;
            for (int i = Math.max(0, b.length - 8); i < b.length; i++) {
                h = (h << 8) | (b[i] & 0xFF);
            }
            return h;
        }
        throw new MalformedPayloadException("block hash is a " + v.getValueType() + ", expected an integer or bytes");
    }

    private static int intOrZero(Value v) {
        if (v == null || !v.isIntegerValue() || !v.asIntegerValue().isInIntRange()) {
            return 0;
        }
        return Math.max(0, v.asIntegerValue().toInt());
    }

    private static String string(Value v) {
        return v != null && v.isStringValue() ? v.asStringValue().asString() : null;
    }
}
