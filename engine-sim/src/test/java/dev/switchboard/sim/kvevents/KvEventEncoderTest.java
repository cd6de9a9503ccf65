package dev.switchboard.sim.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

import dev.switchboard.sim.core.KvEvent;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.LongList;

/** vLLM's EventBatch wire shapes, in both encodings, decoded with a plain msgpack reader. */
class KvEventEncoderTest {
    private static final List<KvEvent> EVENTS = List.of(
            new KvEvent.BlockStored(LongList.of(-1L, 5L), OptionalLong.of(Long.MIN_VALUE), 16, IntList.of()),
            new KvEvent.BlockRemoved(LongList.of(7L)),
            new KvEvent.AllBlocksCleared());

    @Test
    void arrayFormatIsPositionalWithTheTypeNameFirst() throws Exception {
        Value batch = decode(new KvEventEncoder(KvEventEncoder.Format.ARRAY).encode(1.5, EVENTS, 0));
        assertThat(batch.asArrayValue().size()).isEqualTo(3);
        assertThat(batch.asArrayValue().get(0).asFloatValue().toDouble()).isEqualTo(1.5);
        assertThat(batch.asArrayValue().get(2).asIntegerValue().toInt()).isZero();
        List<Value> events = batch.asArrayValue().get(1).asArrayValue().list();
        List<Value> stored = events.get(0).asArrayValue().list();
        assertThat(stored).hasSize(7);
        assertThat(stored.get(0).asStringValue().asString()).isEqualTo("BlockStored");
        assertThat(stored.get(1).asArrayValue().list()).extracting(v -> v.asIntegerValue().toBigInteger())
                .containsExactly(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE), BigInteger.valueOf(5));
        assertThat(stored.get(2).asIntegerValue().toBigInteger()).isEqualTo(BigInteger.ONE.shiftLeft(63));
        assertThat(stored.get(3).asArrayValue().size()).isZero(); // token_ids
        assertThat(stored.get(4).asIntegerValue().toInt()).isEqualTo(16);
        assertThat(stored.get(5).isNilValue()).isTrue(); // lora_id
        assertThat(stored.get(6).asStringValue().asString()).isEqualTo("GPU");
        List<Value> removed = events.get(1).asArrayValue().list();
        assertThat(removed.get(0).asStringValue().asString()).isEqualTo("BlockRemoved");
        assertThat(removed.get(2).asStringValue().asString()).isEqualTo("GPU");
        assertThat(events.get(2).asArrayValue().list()).extracting(v -> v.asStringValue().asString())
                .containsExactly("AllBlocksCleared");
    }

    @Test
    void anEncoderReusedForManyBatchesEncodesEachAlone() {
        KvEventEncoder reused = new KvEventEncoder(KvEventEncoder.Format.ARRAY);
        byte[] big = reused.encode(1.0, EVENTS, 0);
        byte[] small = reused.encode(2.0, List.of(new KvEvent.AllBlocksCleared()), 1);
        assertThat(small).isEqualTo(new KvEventEncoder(KvEventEncoder.Format.ARRAY)
                .encode(2.0, List.of(new KvEvent.AllBlocksCleared()), 1));
        assertThat(reused.encode(1.0, EVENTS, 0)).isEqualTo(big);
    }

    @Test
    void mapFormatKeysEveryFieldAndTagsTheType() throws Exception {
        Value batch = decode(new KvEventEncoder(KvEventEncoder.Format.MAP).encode(2.0, EVENTS, 0));
        List<Value> events = batch.asArrayValue().get(1).asArrayValue().list();
        var stored = events.get(0).asMapValue().map();
        assertThat(stored.get(MessagePackValues.str("type")).asStringValue().asString()).isEqualTo("BlockStored");
        assertThat(stored.get(MessagePackValues.str("block_size")).asIntegerValue().toInt()).isEqualTo(16);
        assertThat(stored.get(MessagePackValues.str("parent_block_hash")).asIntegerValue().toBigInteger())
                .isEqualTo(BigInteger.ONE.shiftLeft(63));
        assertThat(stored.get(MessagePackValues.str("medium")).asStringValue().asString()).isEqualTo("GPU");
        assertThat(stored).containsKeys(MessagePackValues.str("lora_id"), MessagePackValues.str("token_ids"),
                MessagePackValues.str("block_hashes"));
        assertThat(events.get(1).asMapValue().map().get(MessagePackValues.str("type")).asStringValue().asString())
                .isEqualTo("BlockRemoved");
        assertThat(events.get(2).asMapValue().map()).hasSize(1);
    }

    @Test
    void hashesAtOrAbove2To63AreMsgpackUint64() throws Exception {
        byte[] bytes = new KvEventEncoder(KvEventEncoder.Format.ARRAY).encode(0, List.of(new KvEvent.BlockRemoved(
                LongList.of(-2L))), 0);
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            u.unpackArrayHeader();
            u.unpackDouble();
            u.unpackArrayHeader();
            u.unpackArrayHeader();
            u.unpackString();
            u.unpackArrayHeader();
            assertThat(u.getNextFormat()).isEqualTo(MessageFormat.UINT64);
            assertThat(u.unpackBigInteger()).isEqualTo(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.TWO));
        }
    }

    static Value decode(byte[] bytes) throws Exception {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            Value v = u.unpackValue();
            assertThat(u.hasNext()).isFalse();
            return v;
        }
    }

    /** msgpack string keys. */
    static final class MessagePackValues {
        static Value str(String s) {
            return org.msgpack.value.ValueFactory.newString(s);
        }
    }
}
