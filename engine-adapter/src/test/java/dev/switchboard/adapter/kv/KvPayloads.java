package dev.switchboard.adapter.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.List;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** msgpack payloads shaped exactly as vLLM's msgspec encoder writes them, in both encodings. */
final class KvPayloads {
    /** A uint64 hash above Long.MAX_VALUE (as vLLM's int hashes usually are). */
    static final BigInteger BIG_HASH = new BigInteger("15760518052499183552");

    private KvPayloads() {
    }

    interface Writer {
        void write(MessageBufferPacker p) throws IOException;
    }

    static byte[] pack(Writer w) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            w.write(p);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code [ts, [events...], dp_rank]} with each event written by {@code events}. */
    static byte[] batch(int count, Writer events) {
        return pack(p -> {
            p.packArrayHeader(3);
            p.packDouble(1789095808.83);
            p.packArrayHeader(count);
            events.write(p);
            p.packInt(0);
        });
    }

    /** Positional BlockStored with trailing defaults omitted after {@code medium}. */
    static void positionalStored(MessageBufferPacker p, List<Long> hashes, Long parent, String medium) throws IOException {
        p.packArrayHeader(7);
        p.packString("BlockStored");
        p.packArrayHeader(hashes.size());
        for (long h : hashes) {
            p.packLong(h);
        }
        if (parent == null) {
            p.packNil();
        } else {
            p.packLong(parent);
        }
        p.packArrayHeader(2 * 16);
        for (int i = 0; i < 32; i++) {
            p.packInt(1000 + i);
        }
        p.packInt(16);
        p.packNil(); // lora_id
        if (medium == null) {
            p.packNil();
        } else {
            p.packString(medium);
        }
    }

    static void positionalRemoved(MessageBufferPacker p, List<Long> hashes) throws IOException {
        p.packArrayHeader(2); // medium omitted (default None)
        p.packString("BlockRemoved");
        p.packArrayHeader(hashes.size());
        for (long h : hashes) {
            p.packLong(h);
        }
    }

    static void positionalCleared(MessageBufferPacker p) throws IOException {
        p.packArrayHeader(1);
        p.packString("AllBlocksCleared");
    }

    /** Keyed BlockStored as vLLM >= PR #42892 writes it (observed on v0.26.0). */
    static void keyedStored(MessageBufferPacker p, BigInteger hash, Long parent) throws IOException {
        p.packMapHeader(11);
        p.packString("type").packString("BlockStored");
        p.packString("block_hashes").packArrayHeader(1).packBigInteger(hash);
        p.packString("parent_block_hash");
        if (parent == null) {
            p.packNil();
        } else {
            p.packLong(parent);
        }
        p.packString("token_ids").packArrayHeader(16);
        for (int i = 0; i < 16; i++) {
            p.packInt(i);
        }
        p.packString("block_size").packInt(16);
        p.packString("lora_id").packNil();
        p.packString("medium").packString("GPU");
        p.packString("lora_name").packNil();
        p.packString("extra_keys").packArrayHeader(1).packNil();
        p.packString("group_idx").packInt(0);
        p.packString("kv_cache_spec_kind").packString("full_attention");
    }

    static void keyedRemovedWithByteHashes(MessageBufferPacker p, byte[]... hashes) throws IOException {
        p.packMapHeader(3);
        p.packString("type").packString("BlockRemoved");
        p.packString("block_hashes").packArrayHeader(hashes.length);
        for (byte[] h : hashes) {
            p.packBinaryHeader(h.length);
            p.writePayload(h);
        }
        p.packString("medium").packString("CPU");
    }

    static void keyedCleared(MessageBufferPacker p) throws IOException {
        p.packMapHeader(1);
        p.packString("type").packString("AllBlocksCleared");
    }

    static void unknown(MessageBufferPacker p) throws IOException {
        p.packArrayHeader(2);
        p.packString("BlockUpdated");
        p.packInt(1);
    }
}
