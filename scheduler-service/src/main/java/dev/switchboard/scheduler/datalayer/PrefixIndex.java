package dev.switchboard.scheduler.datalayer;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.scheduler.framework.PrefixMatches;
import it.unimi.dsi.fastutil.longs.LongLinkedOpenHashSet;

/**
 * Approximate per-endpoint record of which prompt blocks each engine holds in its KV cache: an LRU
 * set of 64-bit block hashes per endpoint, sized from the endpoint's KV capacity.
 *
 * <p>It learns from the scheduler's own decisions (a routed prompt's blocks will be cached there)
 * and from KV events when the engine publishes hashes in Switchboard's hash space; a cache-clear
 * event resets an endpoint. Because block hashes are chained, holding block {@code i} implies
 * having computed blocks {@code 0..i}; blocks of a routed prompt are touched last-to-first so the
 * first blocks are the most recent and eviction takes a prompt's tail first (as vLLM frees blocks),
 * which keeps each endpoint's content prefix-closed. That makes the longest cached prefix a
 * galloping search: one set lookup for an endpoint without the prompt's first block, O(log depth)
 * for one with a cached prefix.
 *
 * <p>Memory: about 16 bytes of hash and links per block in fastutil's open-addressing linked set,
 * plus table slack (load factor 0.75), so roughly 22-43 bytes per indexed block.
 */
public final class PrefixIndex {
    /** Capacity used for an endpoint that did not publish its KV capacity. */
    public static final int DEFAULT_CAPACITY_BLOCKS = 32_768;

    private final Map<String, EndpointBlocks> endpoints = new ConcurrentHashMap<>();

    private static final class EndpointBlocks {
        private final LongLinkedOpenHashSet lru = new LongLinkedOpenHashSet();
        private int capacity;

        EndpointBlocks(int capacity) {
            this.capacity = capacity;
        }

        /**
         * Gallops from the first block (1, 2, 4, ... blocks) and then binary-searches the last step:
         * one probe for an endpoint without the prompt's first block (most of them), about
         * 2 log2(depth) for one that has a prefix, instead of log2(prompt blocks) for every endpoint.
         */
        synchronized int longestPrefix(long[] hashes) {
            if (!lru.contains(hashes[0])) {
                return 0;
            }
            int lo = 1;
            int step = 1;
            while (lo < hashes.length) {
                int probe = Math.min(hashes.length, lo + step);
                if (!lru.contains(hashes[probe - 1])) {
                    break;
                }
                lo = probe;
                step <<= 1;
            }
            int hi = Math.min(hashes.length, lo + step) - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (lru.contains(hashes[mid - 1])) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        synchronized void touch(long[] hashes) {
            for (int i = hashes.length - 1; i >= 0; i--) {
                lru.addAndMoveToLast(hashes[i]);
            }
            evict();
        }

        synchronized void remove(long[] hashes) {
            for (long h : hashes) {
                lru.remove(h);
            }
        }

        synchronized void clear() {
            lru.clear();
            lru.trim();
        }

        synchronized void resize(int newCapacity) {
            capacity = newCapacity;
            evict();
        }

        synchronized int size() {
            return lru.size();
        }

        private void evict() {
            while (lru.size() > capacity) {
                lru.removeFirstLong();
            }
        }
    }

    /**
     * Makes sure {@code endpointId} is tracked with room for {@code capacityBlocks} blocks (0 =
     * unknown, use {@link #DEFAULT_CAPACITY_BLOCKS}).
     */
    public void track(String endpointId, long capacityBlocks) {
        int capacity = capacityBlocks <= 0 ? DEFAULT_CAPACITY_BLOCKS : (int) Math.min(Integer.MAX_VALUE, capacityBlocks);
        EndpointBlocks blocks = endpoints.computeIfAbsent(endpointId, id -> new EndpointBlocks(capacity));
        if (blocks.capacity != capacity) {
            blocks.resize(capacity);
        }
    }

    /** Forgets endpoints that are no longer discovered. */
    public void retain(Set<String> endpointIds) {
        endpoints.keySet().retainAll(endpointIds);
    }

    /** Leading blocks of {@code hashes} predicted cached on {@code endpointId}. */
    public int matchedBlocks(String endpointId, long[] hashes) {
        EndpointBlocks blocks = endpoints.get(endpointId);
        return blocks == null || hashes.length == 0 ? 0 : blocks.longestPrefix(hashes);
    }

    /** The predicted matches of one request, for one scheduling cycle. */
    public PrefixMatches matchesFor(long[] hashes) {
        if (hashes.length == 0) {
            return PrefixMatches.NONE;
        }
        // scorers ask several times per endpoint; a primitive map avoids boxing on this hot path
        it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap<String> memo = new it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap<>();
        memo.defaultReturnValue(-1);
        return endpointId -> {
            int known = memo.getInt(endpointId);
            if (known < 0) {
                known = matchedBlocks(endpointId, hashes);
                memo.put(endpointId, known);
            }
            return known;
        };
    }

    /** Records that the engine behind {@code endpointId} holds (or will hold) these blocks. */
    public void stored(String endpointId, long[] hashes) {
        EndpointBlocks blocks = endpoints.get(endpointId);
        if (blocks != null) {
            blocks.touch(hashes);
        }
    }

    /** Records blocks the engine evicted. */
    public void removed(String endpointId, long[] hashes) {
        EndpointBlocks blocks = endpoints.get(endpointId);
        if (blocks != null) {
            blocks.remove(hashes);
        }
    }

    /** Forgets everything about an endpoint's cache (cache reset, engine restart). */
    public void clear(String endpointId) {
        EndpointBlocks blocks = endpoints.get(endpointId);
        if (blocks != null) {
            blocks.clear();
        }
    }

    /** Blocks indexed for {@code endpointId}. */
    public int size(String endpointId) {
        EndpointBlocks blocks = endpoints.get(endpointId);
        return blocks == null ? 0 : blocks.size();
    }

    /** Blocks indexed over all endpoints. */
    public long totalBlocks() {
        return endpoints.values().stream().mapToLong(EndpointBlocks::size).sum();
    }
}
