package dev.switchboard.scheduler.datalayer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.prompt.PromptBlocks;

class PrefixIndexTest {
    private final PrefixIndex index = new PrefixIndex();

    private static long[] prompt(String shared, String own) {
        return PromptBlocks.hash("m", null, shared + own);
    }

    private static String text(String tag, int blocks) {
        return (tag + "-").repeat(blocks * 64).substring(0, blocks * 64);
    }

    @Test
    void findsTheLongestCachedPrefixPerEndpoint() {
        index.track("a", 1000);
        index.track("b", 1000);
        String system = text("sys", 10);
        index.stored("a", prompt(system, text("q1", 5)));

        long[] next = prompt(system, text("q2", 5));
        assertThat(index.matchedBlocks("a", next)).isEqualTo(10);
        assertThat(index.matchedBlocks("b", next)).isZero();
        assertThat(index.matchedBlocks("a", prompt(system, text("q1", 5)))).isEqualTo(15);
        assertThat(index.matchedBlocks("unknown", next)).isZero();
    }

    @Test
    void evictionTakesOldPromptsTailsFirstSoSharedPrefixesSurvive() {
        index.track("a", 20);
        String system = text("sys", 8);
        index.stored("a", prompt(system, text("old", 8)));   // 16 blocks
        index.stored("a", prompt(system, text("new", 8)));   // 8 shared + 8 new: 24 distinct > 20, evict 4
        assertThat(index.size("a")).isEqualTo(20);
        assertThat(index.matchedBlocks("a", prompt(system, text("new", 8)))).isEqualTo(16);
        assertThat(index.matchedBlocks("a", prompt(system, text("old", 8)))).as("old prompt lost its tail only").isEqualTo(12);
        assertThat(index.matchedBlocks("a", prompt(system, text("other", 8)))).isEqualTo(8);
    }

    @Test
    void kvEventsAndClearsUpdateTheIndex() {
        index.track("a", 1000);
        long[] p = prompt(text("x", 4), "");
        index.stored("a", p);
        index.removed("a", new long[] {p[3]});
        assertThat(index.matchedBlocks("a", p)).isEqualTo(3);
        index.clear("a");
        assertThat(index.matchedBlocks("a", p)).isZero();
        assertThat(index.totalBlocks()).isZero();
    }

    @Test
    void matchesRequireThePromptsFirstBlockAndFollowItsEviction() {
        index.track("a", 1000);
        index.track("b", 1000);
        long[] p = prompt(text("z", 6), "");
        index.stored("b", java.util.Arrays.copyOfRange(p, 2, 6), false);   // a continuation without its start
        index.stored("a", p);
        assertThat(index.matchesFor(p).matchedBlocks("a")).isEqualTo(6);
        assertThat(index.matchesFor(p).matchedBlocks("b")).as("without block 0 nothing is a prefix").isZero();
        index.removed("a", new long[] {p[0]});
        assertThat(index.matchesFor(p).matchedBlocks("a")).isZero();
        index.stored("b", java.util.Arrays.copyOfRange(p, 0, 2), true);
        assertThat(index.matchesFor(p).matchedBlocks("b")).isEqualTo(6);
    }

    @Test
    void shrinkingCapacityEvictsAndUnknownCapacityUsesTheDefault() {
        index.track("a", 0);
        index.stored("a", prompt(text("y", 50), ""));
        assertThat(index.size("a")).isEqualTo(50);
        index.track("a", 10);
        assertThat(index.size("a")).isEqualTo(10);
        index.retain(java.util.Set.of());
        assertThat(index.size("a")).isZero();
    }
}
