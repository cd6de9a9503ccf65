package dev.switchboard.sim.kvevents;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

import dev.switchboard.sim.core.KvEvent;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.LongList;

/**
 * Encodes KV events as vLLM's msgspec {@code EventBatch} ({@code vllm/distributed/kv_events.py};
 * engine-protocols.md 3.2): a positional batch {@code [ts, [events], data_parallel_rank]} whose events are
 * either positional arrays tagged by their type name ({@link Format#ARRAY}, vLLM up to mid-2026) or maps
 * with a {@code "type"} key ({@link Format#MAP}, vLLM PR #42892 and later).
 *
 * <p>Block hashes are sent as unsigned 64-bit integers, like vLLM with its default
 * {@code VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES=1}. They are Switchboard's own prompt-block hashes
 * ({@code PromptBlocks.hash(model, cache_salt, text)} for text prompts; the core's token-id chain for
 * {@code input_ids} prompts), not vLLM's SHA-256 chain: a consumer matches them against the same
 * function, as llm-d does with its own keys. {@code token_ids} are the blocks' ids when the request gave
 * token ids, else an empty list (text prompts have no real token ids in the simulator).
 */
public final class KvEventEncoder {
    private static final String MEDIUM = "GPU";

    /** Event encoding inside the batch. */
    public enum Format {
        /** {@code ["BlockStored", hashes, parent, token_ids, block_size, lora_id, medium]} (trailing defaults omitted). */
        ARRAY,
        /** {@code {"type": "BlockStored", "block_hashes": ..., ...}}. */
        MAP
    }

    private final Format format;
    /** Reused for every batch (a new packer allocates an 8 KB buffer): hence one encoder per publishing thread. */
    private final MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();

    /** An encoder for one thread (not thread-safe). */
    public KvEventEncoder(Format format) {
        this.format = java.util.Objects.requireNonNull(format, "format");
    }

    /** One batch: {@code [ts, [events...], dpRank]}. */
    public byte[] encode(double timestampSeconds, List<KvEvent> events, int dpRank) {
        MessageBufferPacker p = packer;
        p.clear();
        try {
            p.packArrayHeader(3);
            p.packDouble(timestampSeconds);
            p.packArrayHeader(events.size());
            for (KvEvent e : events) {
                if (format == Format.ARRAY) {
                    packArray(p, e);
                } else {
                    packMap(p, e);
                }
            }
            p.packInt(dpRank);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void packArray(MessagePacker p, KvEvent e) throws IOException {
        if (e instanceof KvEvent.BlockStored s) {
            p.packArrayHeader(7);
            p.packString("BlockStored");
            packHashes(p, s.blockHashes());
            packParent(p, s);
            packTokens(p, s.tokenIds());
            p.packInt(s.blockSize());
            p.packNil(); // lora_id
            p.packString(MEDIUM);
        } else if (e instanceof KvEvent.BlockRemoved r) {
            p.packArrayHeader(3);
            p.packString("BlockRemoved");
            packHashes(p, r.blockHashes());
            p.packString(MEDIUM);
        } else {
            p.packArrayHeader(1);
            p.packString("AllBlocksCleared");
        }
    }

    private static void packMap(MessagePacker p, KvEvent e) throws IOException {
        if (e instanceof KvEvent.BlockStored s) {
            // field set observed from vLLM v0.26.0 (engine-protocols.md 3.2)
            p.packMapHeader(11);
            p.packString("type").packString("BlockStored");
            p.packString("block_hashes");
            packHashes(p, s.blockHashes());
            p.packString("parent_block_hash");
            packParent(p, s);
            p.packString("token_ids");
            packTokens(p, s.tokenIds());
            p.packString("block_size").packInt(s.blockSize());
            p.packString("lora_id").packNil();
            p.packString("medium").packString(MEDIUM);
            p.packString("lora_name").packNil();
            p.packString("extra_keys").packArrayHeader(s.blockHashes().size());
            for (int i = 0; i < s.blockHashes().size(); i++) {
                p.packNil();
            }
            p.packString("group_idx").packInt(0);
            p.packString("kv_cache_spec_kind").packString("full_attention");
        } else if (e instanceof KvEvent.BlockRemoved r) {
            p.packMapHeader(4);
            p.packString("type").packString("BlockRemoved");
            p.packString("block_hashes");
            packHashes(p, r.blockHashes());
            p.packString("medium").packString(MEDIUM);
            p.packString("group_idx").packInt(0);
        } else {
            p.packMapHeader(1);
            p.packString("type").packString("AllBlocksCleared");
        }
    }

    private static void packParent(MessagePacker p, KvEvent.BlockStored s) throws IOException {
        if (s.parentBlockHash().isPresent()) {
            packUint64(p, s.parentBlockHash().getAsLong(), new byte[9]);
        } else {
            p.packNil();
        }
    }

    private static void packHashes(MessagePacker p, LongList hashes) throws IOException {
        p.packArrayHeader(hashes.size());
        byte[] uint64 = new byte[9];
        for (int i = 0; i < hashes.size(); i++) {
            packUint64(p, hashes.getLong(i), uint64);
        }
    }

    private static void packTokens(MessagePacker p, IntList tokens) throws IOException {
        p.packArrayHeader(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            p.packInt(tokens.getInt(i));
        }
    }

    /**
     * {@code h} as an unsigned 64-bit integer (negative Java longs are hashes >= 2^63: msgpack uint64, which
     * msgpack-java only packs from a {@code BigInteger}); {@code scratch} holds 9 bytes, reused across calls.
     */
    private static void packUint64(MessagePacker p, long h, byte[] scratch) throws IOException {
        if (h >= 0) {
            p.packLong(h);
            return;
        }
        scratch[0] = (byte) 0xcf; // msgpack uint 64
        for (int i = 0; i < 8; i++) {
            scratch[1 + i] = (byte) (h >>> (56 - 8 * i));
        }
        p.writePayload(scratch);
    }
}
