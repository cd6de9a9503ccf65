package dev.switchboard.sim.core;

import java.util.Objects;
import java.util.OptionalLong;

import it.unimi.dsi.fastutil.ints.IntImmutableList;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.LongImmutableList;
import it.unimi.dsi.fastutil.longs.LongList;

/**
 * A change of the prefix cache, in the shape of vLLM's KV events ({@code vllm/distributed/kv_events.py}),
 * for publishing on ZeroMQ. Only full blocks are ever stored; {@link BlockRemoved} fires when a cached
 * block is evicted for reuse, not when its request finishes.
 */
public sealed interface KvEvent permits KvEvent.BlockStored, KvEvent.BlockRemoved, KvEvent.AllBlocksCleared {

    /**
     * Consecutive full blocks of one request entered the cache.
     *
     * @param blockHashes     chained hashes, in order
     * @param parentBlockHash hash of the block before the first, empty for a prompt's first block
     * @param blockSize       tokens per block
     * @param tokenIds        the blocks' token ids ({@code blockHashes.size() x blockSize}) when the request
     *                        gave token ids and the blocks are prompt blocks; empty otherwise
     */
    record BlockStored(LongList blockHashes, OptionalLong parentBlockHash, int blockSize, IntList tokenIds)
            implements KvEvent {
        /** Validates and copies (unboxed: a long prompt stores thousands of blocks). */
        public BlockStored {
            blockHashes = new LongImmutableList(blockHashes);
            Objects.requireNonNull(parentBlockHash, "parentBlockHash");
            tokenIds = new IntImmutableList(tokenIds);
            if (blockHashes.isEmpty()) {
                throw new IllegalArgumentException("blockHashes must not be empty");
            }
        }
    }

    /**
     * Cached blocks were evicted (their memory reused).
     *
     * @param blockHashes hashes of the evicted blocks
     */
    record BlockRemoved(LongList blockHashes) implements KvEvent {
        /** Copies. */
        public BlockRemoved {
            blockHashes = new LongImmutableList(blockHashes);
        }
    }

    /** The whole prefix cache was reset ({@code /reset_prefix_cache}, {@code /flush_cache}). */
    record AllBlocksCleared() implements KvEvent {
    }
}
