package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** A cache that fills up evicts (LRU, unreferenced blocks only) and preempts instead of failing. */
class KvPressureTest {

    private static EngineCore small(int numGpuBlocks) {
        return new EngineCore(EngineConfig.builder(numGpuBlocks).build(), Sim.fixedCost(1_000_000, 1_000));
    }

    @Test
    void kvUsageIsReferencedBlocksOverUsableBlocksAndCachedFreeBlocksCountAsFree() {
        EngineCore core = small(101); // 100 usable blocks
        Sim sim = new Sim(core);
        sim.submit("a", Sim.tokens(1, 320), 100); // 20 blocks after prefill
        sim.step();
        assertThat(core.kvUsage()).isCloseTo(20 / 100.0, within(1e-12));
        assertThat(core.stats().freeBlocks()).isEqualTo(80);
        sim.step(); // first decode token needs block 21
        assertThat(core.kvUsage()).isCloseTo(21 / 100.0, within(1e-12));
        sim.runUntilDone(200);
        // finished: its blocks stay cached (reusable) but are free, so usage is 0 again
        assertThat(core.kvUsage()).isZero();
        assertThat(core.stats().cachedBlocks()).isEqualTo(26); // (320 + 99) / 16 full blocks
        assertThat(core.stats().freeBlocks()).isEqualTo(100);
    }

    @Test
    void sharedBlocksAreCountedOnceInUsage() {
        EngineCore core = small(101);
        Sim sim = new Sim(core);
        sim.submit("a", Sim.tokens(1, 160), 50).submit("b", Sim.tokens(1, 160), 50);
        sim.step();
        // b reuses a's 9 first blocks (144 tokens) and allocates its own 10th block
        assertThat(core.kvUsage()).isCloseTo(11 / 100.0, within(1e-12));
    }

    @Test
    void evictionTakesTheLeastRecentlyReleasedUnreferencedBlocksFirst() {
        EngineCore core = small(21); // 20 usable blocks
        Sim sim = new Sim(core);
        int[] old = Sim.tokens(1, 64);      // 4 blocks, released first
        int[] recent = Sim.tokens(2, 64);   // 4 blocks, released later
        sim.submit("old", old, 1);
        sim.runUntilDone(10);
        sim.submit("recent", recent, 1);
        sim.runUntilDone(10);
        assertThat(core.stats().cachedBlocks()).isEqualTo(8);
        // needs 14 blocks: 12 never-used blocks, then the 2 least recently released cached ones
        sim.submit("big", Sim.tokens(3, 14 * 16), 1);
        sim.step();
        List<Long> removed = sim.steps.get(sim.steps.size() - 1).kvEvents().stream()
                .filter(KvEvent.BlockRemoved.class::isInstance)
                .flatMap(e -> ((KvEvent.BlockRemoved) e).blockHashes().stream()).toList();
        long[] oldHashes = BlockHashes.ofTokenIds(old, 16);
        long[] recentHashes = BlockHashes.ofTokenIds(recent, 16);
        // a sequence is released tail first, so its tail goes before its head
        assertThat(removed).containsExactly(oldHashes[3], oldHashes[2]);
        KvBlockPool pool = core.pool();
        assertThat(pool.lookup(oldHashes[0])).isNotNegative();
        assertThat(pool.lookup(oldHashes[1])).isNotNegative();
        assertThat(pool.lookup(oldHashes[2])).isNegative();
        assertThat(boxed(recentHashes)).allSatisfy(h -> assertThat(pool.lookup(h)).isNotNegative());
        sim.runUntilDone(10);
        sim.submit("recent-again", recent, 1);
        sim.runUntilDone(10);
        assertThat(sim.trace("recent-again").firstToken.cachedTokens()).isEqualTo(48);
    }

    @Test
    void referencedBlocksAreNeverEvicted() {
        EngineCore core = small(21);
        Sim sim = new Sim(core);
        sim.submit("running", Sim.tokens(1, 64), 60); // holds 4-8 blocks while decoding
        sim.step();
        sim.submit("other", Sim.tokens(2, 9 * 16), 1);
        sim.runUntilDone(200);
        assertThat(sim.kvEvents().stream().filter(KvEvent.BlockRemoved.class::isInstance)
                .flatMap(e -> ((KvEvent.BlockRemoved) e).blockHashes().stream()))
                .doesNotContainAnyElementsOf(boxed(BlockHashes.ofTokenIds(Sim.tokens(1, 64), 16)));
        assertThat(sim.trace("running").finished.outputTokens()).isEqualTo(60);
        assertThat(sim.trace("running").preempted).isZero();
    }

    @Test
    void whenNoBlockIsFreeTheNewestRequestIsPreemptedAndStillCompletes() {
        EngineCore core = small(41); // 40 usable blocks = 640 tokens
        Sim sim = new Sim(core);
        // 4 requests of 64 prompt + 200 output tokens need 4 x 17 = 68 blocks at the end: they cannot all fit
        for (int i = 0; i < 4; i++) {
            sim.submit("r" + i, Sim.tokens(i + 1, 64), 200);
        }
        sim.runUntilDone(10_000);
        assertThat(core.stats().preemptions()).isGreaterThan(0);
        List<String> preempted = sim.traces.entrySet().stream().filter(e -> e.getValue().preempted > 0)
                .map(java.util.Map.Entry::getKey).toList();
        assertThat(preempted).isNotEmpty().doesNotContain("r0"); // the oldest request is never the victim
        for (int i = 0; i < 4; i++) {
            Sim.Trace t = sim.trace("r" + i);
            assertThat(t.finished.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(t.finished.outputTokens()).isEqualTo(200);
            // every token delivered once, in order, despite recomputation
            assertThat(t.firstTokens).isEqualTo(1);
            assertThat(t.outputIndexes).containsExactlyElementsOf(IntStream.range(1, 200).boxed().toList());
            assertThat(t.finished.preemptions()).isEqualTo(t.preempted);
        }
        assertThat(core.stats().generationTokens()).isEqualTo(800);
        assertThat(core.kvUsage()).isZero();
    }

    @Test
    void aResumedRequestRecomputesOnlyWhatWasEvictedFromItsCachedBlocks() {
        EngineCore core = small(41); // 40 usable blocks
        Sim sim = new Sim(core);
        sim.submit("old", Sim.tokens(1, 16), 300);
        sim.step();
        sim.submit("young", Sim.tokens(2, 320), 300);
        int resumedPrefill = -1;
        int tokensAtResume = -1;
        boolean waitingToResume = false;
        for (int i = 0; i < 10_000 && core.stats().running() + core.stats().waiting() > 0; i++) {
            boolean wasWaiting = waitingToResume;
            StepResult r = sim.step();
            if (r.events().stream().anyMatch(e -> e instanceof CoreEvent.Preempted p && p.requestId().equals("young"))) {
                waitingToResume = true;
                tokensAtResume = 320 + sim.trace("young").tokenTimes.size();
            } else if (wasWaiting && r.prefillSeqs() > 0 && resumedPrefill < 0) {
                resumedPrefill = r.prefillTokens();
                waitingToResume = false;
            }
        }
        assertThat(sim.trace("young").preempted).isEqualTo(1);
        assertThat(sim.trace("old").preempted).isZero();
        assertThat(sim.trace("young").finished.outputTokens()).isEqualTo(300);
        // the young request's head blocks survived in the cache: it recomputes well under half its tokens
        assertThat(resumedPrefill).isPositive().isLessThan(tokensAtResume / 2);
    }

    @Test
    void aFullCacheNeverThrowsUnderSustainedLoad() {
        EngineCore core = Sim.llama(EngineConfig.builder(201).tokenBudget(512).maxNumSeqs(64).build());
        Sim sim = new Sim(core);
        for (int i = 0; i < 150; i++) {
            sim.submit(CoreRequest.ofTokenIds("r" + i, Sim.sharedPrefix(256, i + 1, 300 + i % 7 * 50), 80, i * 2_000_000L));
        }
        sim.runUntilDone(100_000);
        assertThat(sim.traces.values()).allSatisfy(t -> assertThat(t.finished.outputTokens()).isEqualTo(80));
        assertThat(core.stats().preemptions()).isGreaterThan(0);
        assertThat(core.stats().prefixCacheHits()).isGreaterThan(100L * 256);
    }

    private static List<Long> boxed(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
