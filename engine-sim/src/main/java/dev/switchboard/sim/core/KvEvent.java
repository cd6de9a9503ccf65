package dev.switchboard.sim.core;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

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
    record BlockStored(List<Long> blockHashes, OptionalLong parentBlockHash, int blockSize, List<Integer> tokenIds)
            implements KvEvent {
        /** Validates and copies. */
        public BlockStored {
            blockHashes = List.copyOf(blockHashes);
            Objects.requireNonNull(parentBlockHash, "parentBlockHash");
            tokenIds = List.copyOf(tokenIds);
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
    record BlockRemoved(List<Long> blockHashes) implements KvEvent {
        /** Copies. */
        public BlockRemoved {
            blockHashes = List.copyOf(blockHashes);
        }
    }

    /** The whole prefix cache was reset ({@code /reset_prefix_cache}, {@code /flush_cache}). */
    record AllBlocksCleared() implements KvEvent {
    }
}
