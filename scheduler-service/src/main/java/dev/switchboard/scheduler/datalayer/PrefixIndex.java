package dev.switchboard.scheduler.datalayer;

import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.scheduler.framework.PrefixMatches;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;

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
 * <p>A request's first block is always a position-0 block, so the index also keeps, for every
 * position-0 block, which endpoints hold it: endpoints lacking the request's first block (usually
 * nearly all of them) are answered without touching their sets, and {@link #matchesFor} computes
 * the holders' matches once, up front, so a cycle's many per-endpoint questions are a lookup in a
 * map of a few entries (or a constant 0).
 *
 * <p>Thread-safe: each endpoint's set has its own lock, so decisions on two threads contend only
 * when they touch the same endpoint.
 *
 * <p>Memory: about 16 bytes of hash and links per block plus 4 bytes per hash-table slot (see
 * {@link BlockLru}), so roughly 24 bytes per indexed block at capacity, plus a small bit set per
 * distinct first block.
 */
public final class PrefixIndex {
    /** Capacity used for an endpoint that did not publish its KV capacity. */
    public static final int DEFAULT_CAPACITY_BLOCKS = 32_768;

    private final Map<String, EndpointBlocks> endpoints = new ConcurrentHashMap<>();
    /** Position-0 block hash -> slots of the endpoints holding it. Guarded by itself. */
    private final Long2ObjectOpenHashMap<BitSet> firstBlockHolders = new Long2ObjectOpenHashMap<>();
    /** Guards slot assignment. */
    private final BitSet usedSlots = new BitSet();
    /** Tracked endpoints by slot (copy-on-write under {@link #usedSlots}), to visit a first block's holders. */
    private volatile EndpointBlocks[] bySlot = new EndpointBlocks[0];

    private final class EndpointBlocks {
        private final String id;
        private final int slot;
        private final BlockLru lru;

        EndpointBlocks(String id, int capacity, int slot) {
            this.id = id;
            this.slot = slot;
            this.lru = new BlockLru(capacity, hash -> holdFirst(hash, slot, false));
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

        synchronized void touch(LongBuffer hashes, boolean startsAtFirstBlock) {
            // last-to-first: the prompt's first blocks end most recent, its tail is evicted first
            lru.touchAll(hashes, startsAtFirstBlock);
            if (startsAtFirstBlock && hashes.hasRemaining()) {
                holdFirst(hashes.get(hashes.position()), slot, true);
            }
        }

        synchronized void remove(LongBuffer hashes) {
            for (int i = hashes.position(); i < hashes.limit(); i++) {
                long h = hashes.get(i);
                if (lru.remove(h) == 1) {
                    holdFirst(h, slot, false);
                }
            }
        }

        synchronized void clear() {
            lru.forEachFirst(h -> holdFirst(h, slot, false));
            lru.clear();
        }

        synchronized void resize(int newCapacity) {
            lru.resize(newCapacity);
        }

        synchronized int capacity() {
            return lru.capacity();
        }

        synchronized int size() {
            return lru.size();
        }
    }

    /** Adds or removes {@code slot} as a holder of the position-0 block {@code hash}. */
    private void holdFirst(long hash, int slot, boolean holds) {
        synchronized (firstBlockHolders) {
            BitSet holders = firstBlockHolders.get(hash);
            if (holds) {
                if (holders == null) {
                    holders = new BitSet();
                    firstBlockHolders.put(hash, holders);
                }
                holders.set(slot);
            } else if (holders != null) {
                holders.clear(slot);
                if (holders.isEmpty()) {
                    firstBlockHolders.remove(hash);
                }
            }
        }
    }

    /** Slots of the endpoints holding {@code firstBlock}, or {@code null} if none. */
    private BitSet holdersOfFirst(long firstBlock) {
        synchronized (firstBlockHolders) {
            BitSet holders = firstBlockHolders.get(firstBlock);
            return holders == null ? null : (BitSet) holders.clone();
        }
    }

    /**
     * Makes sure {@code endpointId} is tracked with room for {@code capacityBlocks} blocks (0 =
     * unknown, use {@link #DEFAULT_CAPACITY_BLOCKS}).
     */
    public void track(String endpointId, long capacityBlocks) {
        int capacity = capacityBlocks <= 0 ? DEFAULT_CAPACITY_BLOCKS : (int) Math.min(Integer.MAX_VALUE, capacityBlocks);
        EndpointBlocks blocks = endpoints.computeIfAbsent(endpointId, id -> register(id, capacity));
        if (blocks.capacity() != capacity) {
            blocks.resize(capacity);
        }
    }

    /** Forgets endpoints that are no longer discovered. */
    public void retain(Set<String> endpointIds) {
        for (var it = endpoints.entrySet().iterator(); it.hasNext();) {
            var entry = it.next();
            if (!endpointIds.contains(entry.getKey())) {
                entry.getValue().clear();
                it.remove();
                synchronized (usedSlots) {
                    int slot = entry.getValue().slot;
                    usedSlots.clear(slot);
                    EndpointBlocks[] slots = bySlot.clone();
                    slots[slot] = null;
                    bySlot = slots;
                }
            }
        }
    }

    private EndpointBlocks register(String endpointId, int capacity) {
        synchronized (usedSlots) {
            int slot = usedSlots.nextClearBit(0);
            usedSlots.set(slot);
            EndpointBlocks blocks = new EndpointBlocks(endpointId, capacity, slot);
            EndpointBlocks[] slots = Arrays.copyOf(bySlot, Math.max(bySlot.length, slot + 1));
            slots[slot] = blocks;
            bySlot = slots;
            return blocks;
        }
    }

    /** Leading blocks of {@code hashes} predicted cached on {@code endpointId}. */
    public int matchedBlocks(String endpointId, long[] hashes) {
        EndpointBlocks blocks = endpoints.get(endpointId);
        return blocks == null || hashes.length == 0 ? 0 : blocks.longestPrefix(hashes);
    }

    /**
     * The predicted matches of one request, for one scheduling cycle: computed here, once, for the
     * endpoints holding the prompt's first block; every other endpoint matches nothing.
     */
    public PrefixMatches matchesFor(long[] hashes) {
        if (hashes.length == 0) {
            return PrefixMatches.NONE;
        }
        BitSet holders = holdersOfFirst(hashes[0]);
        if (holders == null) {
            return PrefixMatches.NONE;
        }
        EndpointBlocks[] slots = bySlot;
        String[] ids = new String[holders.cardinality()];
        int[] matched = new int[ids.length];
        int found = 0;
        for (int slot = holders.nextSetBit(0); slot >= 0; slot = holders.nextSetBit(slot + 1)) {
            EndpointBlocks blocks = slot < slots.length ? slots[slot] : null;
            int m = blocks == null ? 0 : blocks.longestPrefix(hashes);
            if (m > 0) {
                ids[found] = blocks.id;
                matched[found++] = m;
            }
        }
        return Matches.of(ids, matched, found);
    }

    /** Matches of the few endpoints holding a request's first block; 0 for every other endpoint. */
    private static final class Matches {
        private Matches() {
        }

        static PrefixMatches of(String[] ids, int[] matched, int count) {
            if (count == 0) {
                return PrefixMatches.NONE;
            }
            if (count == 1) {
                String id = ids[0];
                int m = matched[0];
                return endpointId -> id.equals(endpointId) ? m : 0;
            }
            // scorers ask about every candidate several times: a primitive map avoids boxing
            Object2IntOpenHashMap<String> byId = new Object2IntOpenHashMap<>(count);
            for (int i = 0; i < count; i++) {
                byId.put(ids[i], matched[i]);
            }
            return byId::getInt;
        }
    }

    /** Records that the engine behind {@code endpointId} holds (or will hold) a whole prompt's blocks. */
    public void stored(String endpointId, long[] hashes) {
        stored(endpointId, hashes, true);
    }

    /**
     * Records blocks the engine holds; {@code startsAtFirstBlock} says whether {@code hashes[0]} is a
     * prompt's first block (a KV event without a parent block) or continues an earlier one.
     */
    public void stored(String endpointId, long[] hashes, boolean startsAtFirstBlock) {
        stored(endpointId, LongBuffer.wrap(hashes), startsAtFirstBlock);
    }

    /**
     * As {@link #stored(String, long[], boolean)}, for the hashes from the buffer's position to its
     * limit (a KV event's view of its hashes, read without copying; the position is not moved).
     */
    public void stored(String endpointId, LongBuffer hashes, boolean startsAtFirstBlock) {
        EndpointBlocks blocks = endpoints.get(endpointId);
        if (blocks != null) {
            blocks.touch(hashes, startsAtFirstBlock);
        }
    }

    /** Records blocks the engine evicted. */
    public void removed(String endpointId, long[] hashes) {
        removed(endpointId, LongBuffer.wrap(hashes));
    }

    /** As {@link #removed(String, long[])}, for the hashes from the buffer's position to its limit. */
    public void removed(String endpointId, LongBuffer hashes) {
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

    /** Blocks {@code endpointId} may hold in the index (its KV capacity), or 0 if it is not tracked. */
    public int capacity(String endpointId) {
        EndpointBlocks blocks = endpoints.get(endpointId);
        return blocks == null ? 0 : blocks.capacity();
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
