package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.prompt.Tokenizer;

/** Prefix caching: full shared blocks are reused and skipped in prefill. */
class PrefixCacheTest {
    private static final GpuProfile LLAMA = GpuProfiles.h100("llama-3-8b");

    private static Sim llamaSim() {
        return new Sim(Sim.llama(EngineConfig.builder(LLAMA).build()));
    }

    @ParameterizedTest(name = "prompt {0}, shared {1} -> cached {2}")
    @CsvSource({
            "1000, 1000, 992",  // identical: all full blocks (62 x 16)
            "1024, 1024, 1008", // identical, block-aligned: the last block is recomputed to get logits
            "1000, 512, 512",   // shared prefix on a block boundary
            "1000, 500, 496",   // shared prefix mid-block: only full blocks count
            "1000, 15, 0",      // less than a block
            "16, 16, 0",        // one block, identical: it must be computed
            "17, 17, 16"})
    void secondRequestReusesTheFullSharedBlocksAndGetsItsFirstTokenSooner(int prompt, int shared, int expectedCached) {
        Sim sim = llamaSim();
        sim.submit("first", Sim.sharedPrefix(shared, 1, prompt), 1);
        sim.runUntilDone(10);
        sim.submit("second", Sim.sharedPrefix(shared, 2, prompt), 1);
        sim.runUntilDone(10);
        Sim.Trace first = sim.trace("first");
        Sim.Trace second = sim.trace("second");
        assertThat(first.firstToken.cachedTokens()).isZero();
        assertThat(second.firstToken.cachedTokens()).isEqualTo(expectedCached);
        assertThat(second.finished.cachedTokens()).isEqualTo(expectedCached);
        if (expectedCached >= 256) {
            assertThat(second.ttftNanos()).isLessThan(first.ttftNanos());
        }
        // the prefill step only computed the uncached tokens
        assertThat(sim.steps.get(sim.steps.size() - 1).prefillTokens()).isEqualTo(prompt - expectedCached);
        EngineStats s = sim.core.stats();
        assertThat(s.prefixCacheQueries()).isEqualTo(2L * prompt);
        assertThat(s.prefixCacheHits()).isEqualTo(expectedCached);
    }

    @Test
    void repeatedLongPromptHasAMuchShorterTimeToFirstToken() {
        Sim sim = llamaSim();
        sim.submit("a", Sim.tokens(1, 4000), 1);
        sim.runUntilDone(10);
        sim.submit("b", Sim.tokens(1, 4000), 1);
        sim.runUntilDone(10);
        // 3984 of 4000 tokens cached: the second prefill computes one block instead of 250
        assertThat(sim.trace("b").ttftNanos()).isLessThan(sim.trace("a").ttftNanos() / 5);
    }

    @Test
    void requestsInTheSameStepShareBlocksAsSoonAsTheyAreAllocated() {
        // vLLM caches blocks when it allocates them, so a later request in the same step hits them
        Sim sim = llamaSim();
        sim.submit("a", Sim.tokens(1, 320), 1).submit("b", Sim.tokens(1, 320), 1);
        StepResult r = sim.step();
        assertThat(r.prefillTokens()).isEqualTo(320 + 16);
        assertThat(sim.trace("b").firstToken.cachedTokens()).isEqualTo(304);
    }

    @Test
    void blockStoredEventsChainFullBlocksOnceWithTheirTokens() {
        Sim sim = llamaSim();
        int[] prompt = Sim.tokens(3, 40); // 2 full blocks + 8 tokens
        sim.submit("a", prompt, 30); // 70 tokens in total: 4 full blocks
        sim.runUntilDone(50);
        List<KvEvent.BlockStored> stored = sim.kvEvents().stream()
                .filter(KvEvent.BlockStored.class::isInstance).map(KvEvent.BlockStored.class::cast).toList();
        long[] promptHashes = BlockHashes.ofTokenIds(prompt, 16);
        KvEvent.BlockStored first = stored.get(0);
        assertThat(first.blockHashes().toLongArray()).containsExactly(promptHashes[0], promptHashes[1]);
        assertThat(first.parentBlockHash()).isEmpty();
        assertThat(first.tokenIds().toIntArray()).hasSize(32).startsWith(3_000_000, 3_000_001).endsWith(3_000_031);
        // blocks holding generated tokens are cached too, without token ids, chained on the prompt
        List<Long> later = stored.stream().skip(1).flatMap(e -> e.blockHashes().stream()).toList();
        assertThat(later).hasSize(2).doesNotContain(promptHashes[0], promptHashes[1]);
        assertThat(stored.get(1).parentBlockHash()).isEqualTo(OptionalLong.of(promptHashes[1]));
        assertThat(stored.get(1).tokenIds().toIntArray()).isEmpty();
        assertThat(sim.core.stats().cachedBlocks()).isEqualTo(4);
    }

    @Test
    void promptsHashedFromTextBySharedPromptBlocksShareTheirPrefix() {
        String system = "You are a helpful assistant. ".repeat(40); // 1160 chars = 290 tokens
        long[] a = PromptBlocks.hash("llama-3-8b", null, system + "What is the capital of France?");
        long[] b = PromptBlocks.hash("llama-3-8b", null, system + "Write a haiku about the sea, please.");
        int tokensA = Tokenizer.countTokens(system + "What is the capital of France?");
        int tokensB = Tokenizer.countTokens(system + "Write a haiku about the sea, please.");
        Sim sim = llamaSim();
        sim.submit(CoreRequest.ofBlockHashes("a", a, tokensA, 1, 0));
        sim.runUntilDone(10);
        sim.submit(CoreRequest.ofBlockHashes("b", b, tokensB, 1, sim.now));
        sim.runUntilDone(10);
        int sharedBlocks = PromptBlocks.commonPrefixBlocks(a, b);
        assertThat(sharedBlocks).isEqualTo(18);
        assertThat(sim.trace("b").firstToken.cachedTokens()).isEqualTo(sharedBlocks * 16);
    }

    @Test
    void withPrefixCachingOffNothingIsReused() {
        Sim sim = new Sim(Sim.llama(EngineConfig.builder(LLAMA).prefixCaching(false).build()));
        sim.submit("a", Sim.tokens(1, 500), 1);
        sim.runUntilDone(10);
        sim.submit("b", Sim.tokens(1, 500), 1);
        sim.runUntilDone(10);
        assertThat(sim.trace("b").firstToken.cachedTokens()).isZero();
        assertThat(sim.kvEvents()).isEmpty();
        assertThat(sim.core.stats().cachedBlocks()).isZero();
    }

    @Test
    void resetPrefixCacheForgetsCachedBlocksOnlyWhenIdle() {
        Sim sim = llamaSim();
        sim.submit("a", Sim.tokens(1, 500), 3);
        sim.step();
        assertThat(sim.core.resetPrefixCache()).isFalse(); // blocks in use
        sim.runUntilDone(10);
        assertThat(sim.core.resetPrefixCache()).isTrue();
        assertThat(sim.core.stats().cachedBlocks()).isZero();
        StepResult next = sim.step();
        assertThat(next.kvEvents()).containsExactly(new KvEvent.AllBlocksCleared());
        sim.submit("b", Sim.tokens(1, 500), 1);
        sim.runUntilDone(10);
        assertThat(sim.trace("b").firstToken.cachedTokens()).isZero();
    }
}
