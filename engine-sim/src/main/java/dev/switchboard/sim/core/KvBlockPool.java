package dev.switchboard.sim.core;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongList;

/**
 * The paged KV cache's block pool, after vLLM's {@code BlockPool}: reference counts, a hash-to-block
 * map of cached full blocks, and a free queue in eviction order.
 *
 * <p>Block 0 is the null block and never handed out. A block with reference count 0 sits in the free
 * queue; if it holds a cached prefix it stays findable (and reusable by {@link #touch}) until
 * {@link #allocate} pops it from the head and evicts its hash. Released blocks join the tail, so the
 * least recently released block is evicted first (LRU). Not thread-safe: owned by one {@link EngineCore}.
 */
final class KvBlockPool {
    private static final int NIL = -1;

    private final int numBlocks;
    private final int[] refCount;
    private final long[] hash;
    private final boolean[] hashed;
    // free queue as an intrusive doubly linked list over block ids: O(1) pop, append and removal
    private final int[] prev;
    private final int[] next;
    private final boolean[] inFreeQueue;
    private int head = NIL;
    private int tail = NIL;
    private int freeCount;
    /** Hash to block, primitive: a boxed map allocated three objects per cached block, all outliving young GCs. */
    private final Long2IntOpenHashMap cached = new Long2IntOpenHashMap();

    KvBlockPool(int numBlocks) {
        if (numBlocks < 2) {
            throw new IllegalArgumentException("numBlocks must be >= 2, but was " + numBlocks);
        }
        this.numBlocks = numBlocks;
        this.refCount = new int[numBlocks];
        this.hash = new long[numBlocks];
        this.hashed = new boolean[numBlocks];
        this.prev = new int[numBlocks];
        this.next = new int[numBlocks];
        this.inFreeQueue = new boolean[numBlocks];
        cached.defaultReturnValue(NIL);
        for (int b = 1; b < numBlocks; b++) {
            append(b);
        }
    }

    int numBlocks() {
        return numBlocks;
    }

    /** Blocks with reference count 0, cached ones included. */
    int freeBlocks() {
        return freeCount;
    }

    /** Blocks that hold a cached prefix. */
    int cachedBlocks() {
        return cached.size();
    }

    /** vLLM's usage: {@code 1 - free / (numBlocks - 1)}; evictable cached blocks count as free. */
    double usage() {
        return 1.0 - (double) freeCount / (numBlocks - 1);
    }

    /** The block caching {@code blockHash}, or -1. */
    int lookup(long blockHash) {
        return cached.get(blockHash);
    }

    /** Whether {@code block} is unreferenced (so touching it consumes a free block). */
    boolean isFree(int block) {
        return inFreeQueue[block];
    }

    int refCount(int block) {
        return refCount[block];
    }

    /** Takes a reference on a cached block, pulling it out of the free queue if it was there. */
    void touch(int block) {
        if (inFreeQueue[block]) {
            unlink(block);
        }
        refCount[block]++;
    }

    /**
     * Pops the least recently released free block, evicting its cached hash (reported to
     * {@code evicted}), and references it once.
     *
     * @throws IllegalStateException if no block is free (callers check {@link #freeBlocks()} first)
     */
    int allocate(LongList evicted) {
        if (head == NIL) {
            throw new IllegalStateException("no free KV block");
        }
        int b = head;
        unlink(b);
        if (hashed[b]) {
            cached.remove(hash[b]);
            hashed[b] = false;
            evicted.add(hash[b]);
        }
        refCount[b] = 1;
        return b;
    }

    /** Drops one reference; at zero the block joins the free queue's tail (still cached if hashed). */
    void release(int block) {
        if (refCount[block] <= 0) {
            throw new IllegalStateException("block " + block + " released more often than referenced");
        }
        if (--refCount[block] == 0) {
            append(block);
        }
    }

    /**
     * Records that {@code block} (full, referenced) holds the prefix named {@code blockHash}.
     *
     * @return false if another block already caches that hash (this one then stays uncached, like a
     *         duplicate computed concurrently)
     */
    boolean register(int block, long blockHash) {
        if (hashed[block]) {
            return hash[block] == blockHash;
        }
        if (cached.containsKey(blockHash)) {
            return false;
        }
        cached.put(blockHash, block);
        hash[block] = blockHash;
        hashed[block] = true;
        return true;
    }

    /**
     * Forgets every cached hash, if no block is referenced (vLLM's {@code reset_prefix_cache} refuses
     * otherwise).
     *
     * @return whether the cache was reset
     */
    boolean resetCache() {
        if (freeCount != numBlocks - 1) {
            return false;
        }
        cached.clear();
        java.util.Arrays.fill(hashed, false);
        return true;
    }

    /** Hashes currently cached (tests and diagnostics). */
    LongList cachedHashes() {
        return new LongArrayList(cached.keySet());
    }

    private void append(int b) {
        prev[b] = tail;
        next[b] = NIL;
        if (tail == NIL) {
            head = b;
        } else {
            next[tail] = b;
        }
        tail = b;
        inFreeQueue[b] = true;
        freeCount++;
    }

    private void unlink(int b) {
        int p = prev[b];
        int n = next[b];
        if (p == NIL) {
            head = n;
        } else {
            next[p] = n;
        }
        if (n == NIL) {
            tail = p;
        } else {
            prev[n] = p;
        }
        inFreeQueue[b] = false;
        freeCount--;
    }
}
