package dev.switchboard.sim.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

import dev.switchboard.contract.EngineRole;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongList;

/**
 * A single-threaded, clock-driven model of a continuous-batching inference engine (vLLM V1's
 * scheduler and KV-cache manager, priced by a {@link StepCostModel}).
 *
 * <p><b>Time.</b> The core never reads a clock, sleeps or starts threads. The caller passes {@code now}
 * to {@link #step(long)}, which runs ONE engine step and returns its duration and events. Behind a
 * server, a driver thread sleeps for the duration and calls again; inside a benchmark, a virtual clock
 * jumps by the duration, so an hour of traffic replays in seconds. The same inputs always give the same
 * outputs.
 *
 * <p><b>A step</b> (vLLM V1 {@code Scheduler.schedule}, decode-first: vLLM walks its running list in
 * admission order, which is the same whenever at most one running request is mid-prompt):
 * <ol>
 *   <li>every running sequence that is decoding gets one token;</li>
 *   <li>running sequences still in their prompt (chunked prefill, or recompute after preemption) get
 *       chunks from what is left of the token budget;</li>
 *   <li>waiting requests (FCFS; preempted ones first) are admitted while budget, the sequence cap and
 *       free blocks last: full blocks of their prompt found in the prefix cache are reused and skipped
 *       (at most {@code numTokens - 1} tokens: the last one must be computed to get logits), the rest
 *       is prefilled in a chunk. The first request that does not fit stops admission (no overtaking),
 *       and no request is admitted in a step that had to preempt.</li>
 * </ol>
 * When a running sequence needs a block and none is free, the most recently admitted sequence not yet
 * scheduled in this step is preempted (recompute: blocks released, request back to the head of the
 * waiting queue, tokens generated so far kept), possibly the sequence itself.
 *
 * <p><b>KV cache.</b> {@code numGpuBlocks} blocks of {@code blockSize} tokens, block 0 reserved. A block is
 * cached once full, under its chained hash ({@link BlockHashes}); cached blocks stay findable after their
 * requests finish until the LRU free queue hands them out again (evicting them). Usage is vLLM's
 * {@code 1 - free/(numGpuBlocks - 1)} with evictable cached blocks counted as free.
 *
 * <p><b>Roles.</b> {@link EngineRole#PREFILL}: every request finishes after its first token with
 * {@link FinishReason#LENGTH} and its blocks stay referenced (pinned) until {@link #releaseKv} or the pickup
 * timeout. On any role, a request marked {@link CoreRequest#remoteDecode() remoteDecode} (the prefill leg
 * of a P/D pair) behaves the same way. A request {@link CoreRequest#prefilledRemotely() prefilled remotely} (on any role, normally
 * {@link EngineRole#DECODE}) reuses local prefix hits, allocates blocks for the rest of its prompt, waits
 * {@code setup + missingTokens x kvBytesPerToken / linkBandwidth} without occupying a batch slot (counted as
 * waiting), then computes only its last prompt token to produce the first output token.
 *
 * <p>Not thread-safe: confine an instance to one thread (or guard it).
 */
public final class EngineCore {
    private static final long NEVER = StepResult.NEVER;

    private final EngineConfig config;
    private final StepCostModel costModel;
    private final KvBlockPool pool;
    private final int blockSize;

    private final Map<String, Req> live = new HashMap<>();
    private final ArrayDeque<Req> waiting = new ArrayDeque<>();
    private final ArrayList<Req> running = new ArrayList<>();
    private final LinkedHashMap<String, Req> pinned = new LinkedHashMap<>();
    private final List<CoreEvent> pendingEvents = new ArrayList<>();
    private final List<KvEvent> pendingKvEvents = new ArrayList<>();

    private long lastNow = Long.MIN_VALUE;
    private double slowdown = 1.0;

    private long prefixCacheQueries;
    private long prefixCacheHits;
    private long preemptions;
    private long promptTokensTotal;
    private long generationTokensTotal;
    private long finishedStop;
    private long finishedLength;
    private long finishedAbort;
    private long kvPickupTimeouts;
    private long steps;
    private long busyNanos;

    /**
     * @param config    scheduler and cache settings
     * @param costModel prices each step
     */
    public EngineCore(EngineConfig config, StepCostModel costModel) {
        this.config = Objects.requireNonNull(config, "config");
        this.costModel = Objects.requireNonNull(costModel, "costModel");
        this.pool = new KvBlockPool(config.numGpuBlocks());
        this.blockSize = config.blockSize();
    }

    /** The configuration. */
    public EngineConfig config() {
        return config;
    }

    /** The step cost model. */
    public StepCostModel costModel() {
        return costModel;
    }

    /**
     * Queues a request. It is considered from its arrival time on.
     *
     * @throws IllegalArgumentException if the id is live, the hashes do not match the prompt, or the
     *                                  request could never fit in the KV cache even alone
     */
    public void submit(CoreRequest request) {
        Objects.requireNonNull(request, "request");
        if (live.containsKey(request.id())) {
            throw new IllegalArgumentException("request id '" + request.id() + "' is already in the engine");
        }
        int fullBlocks = request.promptTokens() / blockSize;
        long[] hashes = request.tokenIdsUnsafe() != null
                ? BlockHashes.ofTokenIds(request.tokenIdsUnsafe(), blockSize)
                : request.hashesUnsafe();
        if (hashes.length > fullBlocks) {
            throw new IllegalArgumentException("promptBlockHashes must have at most promptTokens / blockSize = "
                    + fullBlocks + " entries, but had " + hashes.length);
        }
        boolean prefillOnly = config.role() == EngineRole.PREFILL || request.remoteDecode();
        int outputCap = prefillOnly ? 1 : request.maxOutputTokens();
        if (request.stopAfterTokens() > 0) {
            outputCap = Math.min(outputCap, request.stopAfterTokens());
        }
        long neededBlocks = ceilDiv((long) request.promptTokens() + outputCap, blockSize);
        if (neededBlocks > config.usableBlocks()) {
            throw new IllegalArgumentException("request '" + request.id() + "' needs " + neededBlocks
                    + " KV blocks for " + request.promptTokens() + " prompt + " + outputCap
                    + " output tokens, but the engine has only " + config.usableBlocks());
        }
        Req r = new Req(request, hashes, prefillOnly);
        live.put(r.id, r);
        waiting.addLast(r);
    }

    /**
     * Runs one engine step at {@code nowNanos}.
     *
     * @param nowNanos the caller's clock; must not go backwards between calls. Normally the previous
     *                 result's {@link StepResult#nextWakeNanos()} or later
     */
    public StepResult step(long nowNanos) {
        if (nowNanos < lastNow) {
            throw new IllegalArgumentException("nowNanos must not go backwards, but was " + nowNanos
                    + " after " + lastNow);
        }
        lastNow = nowNanos;
        List<CoreEvent> events = new ArrayList<>(pendingEvents);
        List<KvEvent> kvEvents = new ArrayList<>(pendingKvEvents);
        pendingEvents.clear();
        pendingKvEvents.clear();
        expirePins(nowNanos);

        Schedule s = new Schedule(config.tokenBudget(), events, kvEvents);
        scheduleRunning(s, true);
        scheduleRunning(s, false);
        if (!s.preempted) {
            admitWaiting(s, nowNanos);
        }
        s.flushEvictions();
        if (s.items.isEmpty()) {
            // after a preemption admission was skipped: let the caller retry at once
            long wake = s.preempted ? nowNanos : idleWake(nowNanos);
            return new StepResult(nowNanos, 0, 0, 0, 0, events, kvEvents, wake);
        }

        StepBatch batch = s.toBatch();
        long duration = Math.max(1L, Math.round(costModel.stepNanos(batch) * slowdown));
        long end = nowNanos + duration;
        steps++;
        busyNanos += duration;
        for (Item item : s.items) {
            complete(item, end, events);
        }
        running.removeIf(r -> r.state != State.RUNNING);
        for (Req r : running) {
            r.scheduledThisStep = false;
        }
        return new StepResult(nowNanos, duration, s.decodes, s.prefillSeqs, s.prefillTokens, events, kvEvents, end);
    }

    /**
     * Cancels a live request: frees its blocks; the {@link CoreEvent.Finished} with reason
     * {@link FinishReason#ABORT} is reported by the next step. For a pinned prefill result, same as
     * {@link #releaseKv}.
     *
     * @return whether the request was live
     */
    public boolean abort(String requestId, long nowNanos) {
        Req r = live.get(requestId);
        if (r == null) {
            return false;
        }
        if (r.state == State.PINNED) {
            return releaseKv(requestId);
        }
        if (r.state == State.RUNNING) {
            running.remove(r);
        } else {
            waiting.remove(r);
        }
        releaseBlocks(r);
        r.state = State.FINISHED;
        live.remove(requestId);
        finishedAbort++;
        pendingEvents.add(finishedEvent(r, FinishReason.ABORT, nowNanos, List.of()));
        return true;
    }

    /**
     * Releases the KV blocks a prefill-role engine kept for {@code requestId} (the decode engine picked
     * them up). The blocks stay cached (evictable).
     *
     * @return whether such pinned blocks existed
     */
    public boolean releaseKv(String requestId) {
        Req r = pinned.remove(requestId);
        if (r == null) {
            return false;
        }
        releaseBlocks(r);
        r.state = State.FINISHED;
        live.remove(requestId);
        return true;
    }

    /**
     * Forgets all cached prefixes, if no block is in use (vLLM's {@code reset_prefix_cache}); an
     * {@link KvEvent.AllBlocksCleared} is reported by the next step.
     *
     * @return whether the cache was reset
     */
    public boolean resetPrefixCache() {
        if (!pool.resetCache()) {
            return false;
        }
        pendingKvEvents.add(new KvEvent.AllBlocksCleared());
        return true;
    }

    /**
     * Multiplies every later step's duration by {@code factor} (fault injection: a slow GPU).
     *
     * @param factor a finite value &gt; 0; 1 restores normal speed
     */
    public void setSlowdown(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("slowdown must be a finite number > 0, but was " + factor);
        }
        this.slowdown = factor;
    }

    /** Whether {@code requestId} is waiting, running or pinned. */
    public boolean isLive(String requestId) {
        return live.containsKey(requestId);
    }

    /** vLLM's KV-cache usage, 0..1. */
    public double kvUsage() {
        return pool.usage();
    }

    /** A snapshot of state and counters. */
    public EngineStats stats() {
        return new EngineStats(running.size(), waiting.size(), pinned.size(), pool.numBlocks(), pool.freeBlocks(),
                pool.cachedBlocks(), pool.usage(), prefixCacheQueries, prefixCacheHits, preemptions,
                promptTokensTotal, generationTokensTotal, finishedStop, finishedLength, finishedAbort,
                kvPickupTimeouts, steps, busyNanos);
    }

    /** The block pool (tests). */
    KvBlockPool pool() {
        return pool;
    }

    // ------------------------------------------------------------------ scheduling

    /** Pass 1 (decodes) or pass 2 (running prefills) over the running list, in admission order. */
    private void scheduleRunning(Schedule s, boolean decodes) {
        for (Req r : running.toArray(new Req[0])) {
            if (s.budget == 0 || s.stopRunning) {
                return;
            }
            if (r.state != State.RUNNING || r.scheduledThisStep || r.isDecoding() != decodes) {
                continue;
            }
            int remaining = r.numTokens() - r.computed;
            int n = decodes ? 1 : Math.min(remaining, s.budget);
            if (!allocateRunning(r, r.computed + n, s)) {
                // preempted itself: nothing behind it can get a block either (vLLM breaks here)
                s.stopRunning = true;
                return;
            }
            s.add(r, n, decodes);
            cacheFullBlocks(r, r.computed + n, s.kvEvents, s);
        }
    }

    /** Pass 3: admit waiting requests, FCFS, while budget, sequence cap and blocks allow. */
    private void admitWaiting(Schedule s, long now) {
        Iterator<Req> it = waiting.iterator();
        while (it.hasNext() && s.budget > 0 && running.size() < config.maxNumSeqs()) {
            Req r = it.next();
            if (r.arrivalNanos > now) {
                continue;
            }
            if (r.state == State.TRANSFERRING) {
                if (now < r.kvReadyAt) {
                    continue;
                }
                // KV landed: cache its full blocks and compute only the last prompt token
                it.remove();
                r.state = State.RUNNING;
                r.computed = r.promptTokens - 1;
                r.cachedTokens = r.computed;
                running.add(r);
                cacheFullBlocks(r, r.promptTokens, s.kvEvents, s);
                s.add(r, 1, false);
                continue;
            }
            boolean remote = r.remotePending;
            int numTokens = r.numTokens();
            int[] hits = prefixHits(r, numTokens);
            int hitTokens = hits.length * blockSize;
            int n = Math.min(numTokens - hitTokens, s.budget);
            int tokensAfter = remote ? r.promptTokens : hitTokens + n;
            int newBlocks = (int) ceilDiv(tokensAfter, blockSize) - hits.length;
            int hitsInFreeQueue = 0;
            for (int b : hits) {
                if (pool.isFree(b)) {
                    hitsInFreeQueue++;
                }
            }
            if (newBlocks + hitsInFreeQueue > pool.freeBlocks()) {
                return; // head-of-line: later requests do not overtake (vLLM breaks here)
            }
            for (int b : hits) {
                pool.touch(b); // before allocating, so the hits cannot be evicted by our own allocation
                r.addBlock(b);
            }
            r.nRegistered = hits.length;
            for (int i = 0; i < newBlocks; i++) {
                r.addBlock(pool.allocate(s.evicted));
            }
            r.computed = hitTokens;
            if (r.preemptions == 0) {
                // vLLM counts lookups of resumed (preempted) requests separately, not in these counters
                prefixCacheQueries += numTokens;
                prefixCacheHits += hitTokens;
            }
            if (r.firstScheduledNanos == CoreEvent.RequestTimes.NEVER) {
                r.firstScheduledNanos = now;
            }
            if (remote) {
                // blocks are allocated; the KV arrives asynchronously, the request stays in the queue meanwhile
                long missingBytes = (long) (r.promptTokens - hitTokens) * costModel.kvBytesPerToken();
                long transferNanos = config.kvTransferSetup().toNanos()
                        + (long) Math.ceil(missingBytes * 1e9 / config.kvLinkBytesPerSecond());
                r.state = State.TRANSFERRING;
                r.remotePending = false;
                r.kvReadyAt = now + transferNanos;
                continue;
            }
            it.remove();
            if (r.cachedTokens < 0) {
                r.cachedTokens = hitTokens;
            }
            r.state = State.RUNNING;
            running.add(r);
            s.add(r, n, false);
            cacheFullBlocks(r, hitTokens + n, s.kvEvents, s);
        }
    }

    /** Cached blocks for the longest prefix of {@code r}'s block hashes, capped to leave the last token uncached. */
    private int[] prefixHits(Req r, int numTokens) {
        if (!config.prefixCaching()) {
            return new int[0];
        }
        int maxBlocks = (numTokens - 1) / blockSize;
        int[] hits = new int[maxBlocks];
        int n = 0;
        while (n < maxBlocks) {
            int b = pool.lookup(r.hashOf(n));
            if (b < 0) {
                break;
            }
            hits[n++] = b;
        }
        return n == maxBlocks ? hits : Arrays.copyOf(hits, n);
    }

    /** Allocates blocks so that {@code r} holds {@code tokensAfter} tokens, preempting if needed. */
    private boolean allocateRunning(Req r, int tokensAfter, Schedule s) {
        int need = (int) ceilDiv(tokensAfter, blockSize) - r.nBlocks;
        while (need > pool.freeBlocks()) {
            Req victim = lastUnscheduledRunning();
            preempt(victim, s);
            if (victim == r) {
                return false;
            }
        }
        for (int i = 0; i < need; i++) {
            r.addBlock(pool.allocate(s.evicted));
        }
        return true;
    }

    private Req lastUnscheduledRunning() {
        for (int i = running.size() - 1; i >= 0; i--) {
            Req r = running.get(i);
            if (r.state == State.RUNNING && !r.scheduledThisStep) {
                return r;
            }
        }
        throw new IllegalStateException("no preemptible request"); // the caller itself is always a candidate
    }

    private void preempt(Req victim, Schedule s) {
        releaseBlocks(victim);
        victim.state = State.WAITING;
        victim.computed = 0;
        victim.preemptions++;
        preemptions++;
        running.remove(victim);
        waiting.addFirst(victim);
        s.preempted = true;
        s.events.add(new CoreEvent.Preempted(victim.id, victim.output));
    }

    /** Registers {@code r}'s blocks that are full once it holds {@code tokens} tokens, reporting stores. */
    private void cacheFullBlocks(Req r, int tokens, List<KvEvent> kvEvents, Schedule s) {
        if (!config.prefixCaching()) {
            return;
        }
        int full = Math.min(tokens / blockSize, r.nBlocks);
        int runStart = -1;
        boolean runHasTokens = false;
        for (int i = r.nRegistered; i < full; i++) {
            boolean stored = pool.register(r.blocks[i], r.hashOf(i));
            boolean hasTokens = r.tokenIds != null && (i + 1) * blockSize <= r.promptTokens;
            if (runStart >= 0 && (!stored || hasTokens != runHasTokens)) {
                emitStored(r, runStart, i, runHasTokens, kvEvents, s);
                runStart = -1;
            }
            if (stored && runStart < 0) {
                runStart = i;
                runHasTokens = hasTokens;
            }
        }
        if (runStart >= 0) {
            emitStored(r, runStart, full, runHasTokens, kvEvents, s);
        }
        r.nRegistered = Math.max(r.nRegistered, full);
    }

    private void emitStored(Req r, int from, int to, boolean withTokens, List<KvEvent> kvEvents, Schedule s) {
        long[] hashes = new long[to - from];
        for (int i = from; i < to; i++) {
            hashes[i - from] = r.hashOf(i);
        }
        IntList tokens = withTokens
                ? IntList.of(Arrays.copyOfRange(r.tokenIds, from * blockSize, to * blockSize))
                : IntList.of();
        OptionalLong parent = from == 0 ? OptionalLong.empty() : OptionalLong.of(r.hashOf(from - 1));
        s.flushEvictions(); // an eviction precedes the store that reuses its block
        kvEvents.add(new KvEvent.BlockStored(LongList.of(hashes), parent, blockSize, tokens));
    }

    /** Applies a scheduled item after the forward pass: tokens, first token, finish. */
    private void complete(Item item, long end, List<CoreEvent> events) {
        Req r = item.req;
        r.computed += item.tokens;
        if (r.computed < r.numTokens()) {
            return; // a prefill chunk that did not reach the end of the prompt
        }
        r.output++;
        generationTokensTotal++;
        if (r.output == 1) {
            r.firstTokenNanos = end;
            promptTokensTotal += r.promptTokens;
            events.add(new CoreEvent.FirstToken(r.id, Math.max(0, r.cachedTokens)));
        } else {
            events.add(new CoreEvent.Token(r.id, r.output - 1));
        }
        FinishReason reason = null;
        if (r.prefillOnly) {
            reason = FinishReason.LENGTH;
        } else if (r.stopAfter > 0 && r.output >= r.stopAfter) {
            reason = FinishReason.STOP;
        } else if (r.output >= r.maxOutput) {
            reason = FinishReason.LENGTH;
        }
        if (reason == null) {
            return;
        }
        if (reason == FinishReason.STOP) {
            finishedStop++;
        } else {
            finishedLength++;
        }
        if (r.prefillOnly) {
            // keep the KV referenced until the decode engine picks it up (or the timeout)
            r.state = State.PINNED;
            r.pinDeadline = end + config.kvPickupTimeout().toNanos();
            pinned.put(r.id, r);
            List<Integer> ids = new ArrayList<>(r.nBlocks);
            for (int i = 0; i < r.nBlocks; i++) {
                ids.add(r.blocks[i]);
            }
            events.add(finishedEvent(r, reason, end, ids));
            return;
        }
        releaseBlocks(r);
        r.state = State.FINISHED;
        live.remove(r.id);
        events.add(finishedEvent(r, reason, end, List.of()));
    }

    private CoreEvent.Finished finishedEvent(Req r, FinishReason reason, long at, List<Integer> blockIds) {
        return new CoreEvent.Finished(r.id, reason, r.promptTokens, r.output, Math.max(0, r.cachedTokens),
                r.preemptions, new CoreEvent.RequestTimes(r.arrivalNanos, r.firstScheduledNanos, r.firstTokenNanos, at),
                blockIds);
    }

    /** Releases all of {@code r}'s blocks, last block first so a sequence's tail is evicted before its prefix. */
    private void releaseBlocks(Req r) {
        for (int i = r.nBlocks - 1; i >= 0; i--) {
            pool.release(r.blocks[i]);
        }
        r.nBlocks = 0;
        r.nRegistered = 0;
    }

    private void expirePins(long now) {
        Iterator<Req> it = pinned.values().iterator();
        while (it.hasNext()) {
            Req r = it.next();
            if (r.pinDeadline > now) {
                return; // deadlines are in insertion order: same timeout for all
            }
            it.remove();
            releaseBlocks(r);
            r.state = State.FINISHED;
            live.remove(r.id);
            kvPickupTimeouts++;
        }
    }

    private long idleWake(long now) {
        long wake = NEVER;
        for (Req r : waiting) {
            if (r.arrivalNanos > now) {
                wake = Math.min(wake, r.arrivalNanos);
            }
            if (r.state == State.TRANSFERRING) {
                wake = Math.min(wake, Math.max(now, r.kvReadyAt));
            }
        }
        if (!pinned.isEmpty() && !waiting.isEmpty()) {
            // waiting requests may be blocked by pinned KV: wake when the oldest pin expires
            wake = Math.min(wake, pinned.values().iterator().next().pinDeadline);
        }
        return wake;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    // ------------------------------------------------------------------ state

    private enum State { WAITING, TRANSFERRING, RUNNING, PINNED, FINISHED }

    /** One request's mutable scheduling state. */
    private final class Req {
        final String id;
        final int promptTokens;
        final int maxOutput;
        final int stopAfter;
        final long arrivalNanos;
        final long contentKey;
        final long[] promptHashes;
        final int[] tokenIds;
        final boolean prefillOnly;
        long[] chain = new long[0];
        int chainLength;
        int[] blocks = new int[8];
        int nBlocks;
        int nRegistered;
        int computed;
        int output;
        int cachedTokens = -1;
        int preemptions;
        boolean remotePending;
        long kvReadyAt;
        long pinDeadline;
        long firstScheduledNanos = CoreEvent.RequestTimes.NEVER;
        long firstTokenNanos = CoreEvent.RequestTimes.NEVER;
        boolean scheduledThisStep;
        State state = State.WAITING;

        Req(CoreRequest spec, long[] promptHashes, boolean prefillOnly) {
            this.prefillOnly = prefillOnly;
            this.id = spec.id();
            this.promptTokens = spec.promptTokens();
            this.maxOutput = spec.maxOutputTokens();
            this.stopAfter = spec.stopAfterTokens();
            this.arrivalNanos = spec.arrivalNanos();
            this.contentKey = spec.contentKey();
            this.promptHashes = promptHashes;
            this.tokenIds = spec.tokenIdsUnsafe();
            this.remotePending = spec.prefilledRemotely();
        }

        int numTokens() {
            return promptTokens + output;
        }

        /** Has generated and owes one token's compute (not a prefill or a recompute). */
        boolean isDecoding() {
            return output > 0 && numTokens() - computed == 1;
        }

        /** Chained hash of block {@code i}: the prompt's given hashes, then derived ones. */
        long hashOf(int i) {
            while (chainLength <= i) {
                if (chainLength == chain.length) {
                    chain = Arrays.copyOf(chain, Math.max(16, chain.length * 2));
                }
                int k = chainLength;
                chain[k] = k < promptHashes.length ? promptHashes[k]
                        : BlockHashes.derived(k == 0 ? BlockHashes.TOKEN_CHAIN_SEED : chain[k - 1], contentKey, k);
                chainLength++;
            }
            return chain[i];
        }

        void addBlock(int b) {
            if (nBlocks == blocks.length) {
                blocks = Arrays.copyOf(blocks, blocks.length * 2);
            }
            blocks[nBlocks++] = b;
        }
    }

    /** One scheduled request in the step being built. */
    private record Item(Req req, int tokens, boolean decode, int cachedBefore) {
    }

    /** The step being built. */
    private final class Schedule {
        int budget;
        final List<CoreEvent> events;
        final List<KvEvent> kvEvents;
        final List<Item> items = new ArrayList<>();
        final LongArrayList evicted = new LongArrayList();
        boolean preempted;
        boolean stopRunning;
        int decodes;
        long decodeContext;
        int prefillSeqs;
        int prefillTokens;
        int sampling;

        Schedule(int budget, List<CoreEvent> events, List<KvEvent> kvEvents) {
            this.budget = budget;
            this.events = events;
            this.kvEvents = kvEvents;
        }

        void add(Req r, int tokens, boolean decode) {
            r.scheduledThisStep = true;
            items.add(new Item(r, tokens, decode, r.computed));
            budget -= tokens;
            if (decode) {
                decodes++;
                decodeContext += r.computed + 1L;
            } else {
                prefillSeqs++;
                prefillTokens += tokens;
            }
            if (r.computed + tokens == r.numTokens()) {
                sampling++;
            }
        }

        void flushEvictions() {
            if (!evicted.isEmpty()) {
                kvEvents.add(new KvEvent.BlockRemoved(evicted));
                evicted.clear();
            }
        }

        StepBatch toBatch() {
            List<StepBatch.PrefillChunk> chunks = new ArrayList<>(prefillSeqs);
            for (Item i : items) {
                if (!i.decode) {
                    chunks.add(new StepBatch.PrefillChunk(i.tokens, i.cachedBefore));
                }
            }
            return new StepBatch(decodes, decodeContext, chunks, sampling);
        }
    }
}
