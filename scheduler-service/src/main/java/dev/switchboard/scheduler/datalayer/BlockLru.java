package dev.switchboard.scheduler.datalayer;

import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.function.LongConsumer;

import it.unimi.dsi.fastutil.HashCommon;

/**
 * An exact least-recently-used set of 64-bit block hashes, built for the prefix index's hot path:
 * recording a routed prompt touches a few hundred blocks per decision, most of them either already
 * present or evicting the oldest block.
 *
 * <p>Layout: nodes live in one dense {@code long[]} (hash, then previous and next node packed in one
 * long), so a node and its usual list neighbours (blocks of the same prompt, touched in a row) share
 * cache lines; an open-addressing {@code int[]} table (linear probing) maps a hash to its node. An
 * evicted node is reused for the next new hash, so no node moves when the table changes, unlike a
 * linked hash set that keeps keys in the table and must fix its links on every deletion. A table
 * entry also carries its distance from its home slot, so deleting (shifting the rest of the probe run
 * back) reads no keys: each eviction costs table reads only. About 16 bytes per node plus 4 bytes per
 * table slot (load at most 0.6, so ~24 bytes per block at capacity).
 *
 * <p>The set never holds more than its capacity: adding a hash to a full set first evicts the least
 * recently used one and reuses its node, so the node array never outgrows the capacity. (Touching a
 * prompt's blocks one by one this way ends in the same set and order as touching them all and then
 * evicting down to capacity.)
 *
 * <p>Each node also carries a flag: "touched as a prompt's first block", so the index's first-block
 * holders need only be updated when a flagged node leaves; {@code firstEvicted} hears of those.
 * Not thread-safe: the owner synchronises.
 */
final class BlockLru {
    private static final int NIL = -1;
    private static final long LOW = 0xFFFF_FFFFL;
    private static final float MAX_LOAD = 0.6f;
    private static final int MIN_NODES = 16;
    /** Table entry: node + 1 in the low bits (0 = empty slot) ... */
    private static final int NODE_BITS = 24;
    private static final int NODE_MASK = (1 << NODE_BITS) - 1;
    /** ... and the distance from the home slot in the high bits, saturated (then read from the key). */
    private static final int MAX_DIST = 0xFF;
    /** Most hashes one set can hold (16.7 M blocks, far beyond any engine's KV cache). */
    static final int MAX_CAPACITY = NODE_MASK - 1;

    /** Node {@code n}: {@code nodes[2n]} = hash, {@code nodes[2n + 1]} = prev (high 32 bits) | next (low 32 bits). */
    private long[] nodes = new long[2 * MIN_NODES];
    /** Bit {@code n}: node {@code n} was touched as a prompt's first block. */
    private long[] firstFlags = new long[1];
    /** Per slot: distance from home (high 8 bits) | node index + 1 (low 24 bits); 0 = empty. */
    private int[] table = new int[64];
    private int mask = table.length - 1;
    private int size;
    /** Nodes handed out so far; nodes below this are live or on the free list. */
    private int allocated;
    /** Free nodes (after {@link #remove}), chained through their next link. */
    private int free = NIL;
    /** Least recently used node. */
    private int head = NIL;
    /** Most recently used node. */
    private int tail = NIL;
    private int capacity;
    private final LongConsumer firstEvicted;

    /**
     * @param capacity     most hashes kept (>= 1)
     * @param firstEvicted called with each hash carrying the first-block mark that capacity evicts
     */
    BlockLru(int capacity, LongConsumer firstEvicted) {
        this.capacity = clamp(capacity);
        this.firstEvicted = firstEvicted;
    }

    int capacity() {
        return capacity;
    }

    /** Changes the capacity, evicting the least recently used hashes beyond it. */
    void resize(int newCapacity) {
        capacity = clamp(newCapacity);
        while (size > capacity) {
            evictEldest();
        }
    }

    int size() {
        return size;
    }

    boolean contains(long hash) {
        return find(hash) >= 0;
    }

    /**
     * Makes {@code hash} the most recently used, adding it if absent.
     *
     * @param first mark it as a prompt's first block (the mark stays until the hash leaves)
     * @return whether it was added
     */
    boolean touch(long hash, boolean first) {
        int pos = slot(hash);
        int entry;
        while ((entry = table[pos]) != 0) {
            int node = (entry & NODE_MASK) - 1;
            if (nodes[2 * node] == hash) {
                if (node != tail) {
                    unlink(node);
                    linkLast(node);
                }
                if (first) {
                    firstFlags[node >>> 6] |= 1L << node;
                }
                return false;
            }
            pos = (pos + 1) & mask;
        }
        if (size >= capacity) {
            // evicting shifts table entries: probe again for the free slot afterwards
            evictEldest();
            pos = slot(hash);
            while (table[pos] != 0) {
                pos = (pos + 1) & mask;
            }
        }
        int node = newNode();
        nodes[2 * node] = hash;
        if (first) {
            firstFlags[node >>> 6] |= 1L << node;
        } else {
            firstFlags[node >>> 6] &= ~(1L << node);
        }
        table[pos] = entry(node, (pos - slot(hash)) & mask);
        linkLast(node);
        size++;
        if (size > table.length * MAX_LOAD) {
            rehash(table.length * 2);
        }
        return true;
    }

    /**
     * Touches {@code hashes} (from its position to its limit; the buffer's position is not moved) from
     * last to first (the first ends most recent), exactly as calling {@link #touch} for each in that
     * order, marking the first if {@code firstIsFirst}. A buffer rather than an array, so a KV event's
     * read-only view of its hashes is used without copying.
     *
     * <p>All lookups are done first, in a loop of independent loads, so the CPU overlaps their cache
     * misses instead of waiting for one at a time between list updates; the updates then use the
     * nodes found. A node found may have been evicted by an earlier update of the same call, but an
     * evicted node is reused at once for the hash that evicted it, so checking the node's hash is
     * enough to know whether it still holds ours.
     */
    void touchAll(LongBuffer hashes, boolean firstIsFirst) {
        int base = hashes.position();
        int count = hashes.remaining();
        int[] found = new int[count];
        for (int i = 0; i < count; i++) {
            found[i] = find(hashes.get(base + i));
        }
        for (int i = count - 1; i >= 0; i--) {
            long hash = hashes.get(base + i);
            boolean first = i == 0 && firstIsFirst;
            int node = found[i];
            if (node >= 0 && nodes[2 * node] == hash) {
                if (node != tail) {
                    unlink(node);
                    linkLast(node);
                }
                if (first) {
                    firstFlags[node >>> 6] |= 1L << node;
                }
            } else {
                touch(hash, first);
            }
        }
    }

    /** Removes the least recently used hash (the set must not be empty). */
    private void evictEldest() {
        int node = head;
        long hash = nodes[2 * node];
        boolean wasFirst = (firstFlags[node >>> 6] & (1L << node)) != 0;
        removeFromTable(node);
        unlink(node);
        release(node);
        if (wasFirst) {
            firstEvicted.accept(hash);
        }
    }

    /**
     * Removes {@code hash}.
     *
     * @return -1 if absent, 1 if it carried the first-block mark, else 0
     */
    int remove(long hash) {
        int node = find(hash);
        if (node < 0) {
            return -1;
        }
        int wasFirst = (firstFlags[node >>> 6] & (1L << node)) != 0 ? 1 : 0;
        removeFromTable(node);
        unlink(node);
        release(node);
        return wasFirst;
    }

    /** Calls {@code action} with every hash carrying the first-block mark. */
    void forEachFirst(LongConsumer action) {
        for (int node = head; node != NIL; node = next(node)) {
            if ((firstFlags[node >>> 6] & (1L << node)) != 0) {
                action.accept(nodes[2 * node]);
            }
        }
    }

    /** The hashes, least recently used first (for tests and diagnostics). */
    long[] oldestFirst() {
        long[] out = new long[size];
        int i = 0;
        for (int node = head; node != NIL; node = next(node)) {
            out[i++] = nodes[2 * node];
        }
        return out;
    }

    /** Empties the set and gives its memory back. */
    void clear() {
        nodes = new long[2 * MIN_NODES];
        firstFlags = new long[1];
        table = new int[64];
        mask = table.length - 1;
        size = 0;
        allocated = 0;
        free = NIL;
        head = NIL;
        tail = NIL;
    }

    /** The node of {@code hash}, or -1. */
    private int find(long hash) {
        int pos = slot(hash);
        int entry;
        while ((entry = table[pos]) != 0) {
            int node = (entry & NODE_MASK) - 1;
            if (nodes[2 * node] == hash) {
                return node;
            }
            pos = (pos + 1) & mask;
        }
        return NIL;
    }

    private int slot(long hash) {
        return (int) HashCommon.mix(hash) & mask;
    }

    private static int entry(int node, int distance) {
        return Math.min(distance, MAX_DIST) << NODE_BITS | (node + 1);
    }

    /** Distance of the entry at {@code pos} from its home slot. */
    private int distance(int entry, int pos) {
        int d = entry >>> NODE_BITS;
        return d < MAX_DIST ? d : (pos - slot(nodes[2 * ((entry & NODE_MASK) - 1)])) & mask;
    }

    private static int clamp(int capacity) {
        return Math.max(1, Math.min(MAX_CAPACITY, capacity));
    }

    private int newNode() {
        if (free != NIL) {
            int node = free;
            free = next(node);
            return node;
        }
        if (allocated == nodes.length / 2) {
            // grow by half up to the capacity: an endpoint's set fills up to its KV capacity and stays there
            int grown = Math.min(capacity, Math.max(MIN_NODES, allocated + (allocated >>> 1)));
            grown = Math.max(grown, allocated + 1);
            nodes = Arrays.copyOf(nodes, 2 * grown);
            firstFlags = Arrays.copyOf(firstFlags, (grown + 63) >>> 6);
        }
        return allocated++;
    }

    private void release(int node) {
        size--;
        setNext(node, free);
        free = node;
    }

    /**
     * Deletes {@code node}'s slot, shifting later entries of its probe run back (no tombstones). An
     * entry may move back to the hole when its home is not between the hole and its slot, which its
     * stored distance tells without reading its key.
     */
    private void removeFromTable(int node) {
        int pos = slot(nodes[2 * node]);
        while ((table[pos] & NODE_MASK) != node + 1) {
            pos = (pos + 1) & mask;
        }
        for (;;) {
            int last = pos;
            int entry;
            int distance;
            int gap;
            for (;;) {
                pos = (pos + 1) & mask;
                if ((entry = table[pos]) == 0) {
                    table[last] = 0;
                    return;
                }
                distance = distance(entry, pos);
                gap = (pos - last) & mask;
                if (distance >= gap) {
                    break;
                }
            }
            table[last] = entry((entry & NODE_MASK) - 1, distance - gap);
        }
    }

    private void rehash(int length) {
        table = new int[length];
        mask = length - 1;
        for (int node = head; node != NIL; node = next(node)) {
            int home = slot(nodes[2 * node]);
            int pos = home;
            while (table[pos] != 0) {
                pos = (pos + 1) & mask;
            }
            table[pos] = entry(node, (pos - home) & mask);
        }
    }

    private int prev(int node) {
        return (int) (nodes[2 * node + 1] >>> 32);
    }

    private int next(int node) {
        return (int) nodes[2 * node + 1];
    }

    private void setPrev(int node, int prev) {
        nodes[2 * node + 1] = ((long) prev << 32) | (nodes[2 * node + 1] & LOW);
    }

    private void setNext(int node, int next) {
        nodes[2 * node + 1] = (nodes[2 * node + 1] & ~LOW) | (next & LOW);
    }

    private void unlink(int node) {
        int p = prev(node);
        int x = next(node);
        if (p == NIL) {
            head = x;
        } else {
            setNext(p, x);
        }
        if (x == NIL) {
            tail = p;
        } else {
            setPrev(x, p);
        }
    }

    private void linkLast(int node) {
        nodes[2 * node + 1] = ((long) tail << 32) | (NIL & LOW);
        if (tail == NIL) {
            head = node;
        } else {
            setNext(tail, node);
        }
        tail = node;
    }
}
