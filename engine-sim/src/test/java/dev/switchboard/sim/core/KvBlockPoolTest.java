package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import it.unimi.dsi.fastutil.longs.LongArrayList;

class KvBlockPoolTest {

    @Test
    void blockZeroIsNeverHandedOutAndUsageUsesNumBlocksMinusOne() {
        KvBlockPool pool = new KvBlockPool(5);
        LongArrayList evicted = new LongArrayList();
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(pool.allocate(evicted));
            assertThat(pool.usage()).isCloseTo((i + 1) / 4.0, within(1e-12));
        }
        assertThat(got).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> pool.allocate(evicted)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void releasedCachedBlocksStayFindableUntilReallocatedInLruOrder() {
        KvBlockPool pool = new KvBlockPool(4); // blocks 1..3
        LongArrayList evicted = new LongArrayList();
        int a = pool.allocate(evicted);
        int b = pool.allocate(evicted);
        int c = pool.allocate(evicted);
        pool.register(a, 100L);
        pool.register(b, 200L);
        pool.register(c, 300L);
        pool.release(b);
        pool.release(a);
        pool.release(c);
        assertThat(pool.freeBlocks()).isEqualTo(3);
        assertThat(pool.usage()).isZero();
        assertThat(pool.cachedBlocks()).isEqualTo(3);
        // a cache hit pulls its block out of the free queue
        pool.touch(pool.lookup(100L));
        assertThat(pool.freeBlocks()).isEqualTo(2);
        pool.allocate(evicted);
        pool.allocate(evicted);
        assertThat(evicted.toLongArray()).containsExactly(200L, 300L); // least recently released first
        assertThat(pool.lookup(200L)).isNegative();
        assertThat(pool.lookup(100L)).isEqualTo(a);
    }

    @Test
    void sharedBlocksReturnToTheFreeQueueOnlyAtRefCountZero() {
        KvBlockPool pool = new KvBlockPool(3);
        int a = pool.allocate(new LongArrayList());
        pool.register(a, 7L);
        pool.touch(a);
        assertThat(pool.refCount(a)).isEqualTo(2);
        pool.release(a);
        assertThat(pool.isFree(a)).isFalse();
        pool.release(a);
        assertThat(pool.isFree(a)).isTrue();
        assertThatThrownBy(() -> pool.release(a)).hasMessage("block " + a + " released more often than referenced");
    }

    @Test
    void aHashIsCachedByOneBlockOnly() {
        KvBlockPool pool = new KvBlockPool(3);
        int a = pool.allocate(new LongArrayList());
        int b = pool.allocate(new LongArrayList());
        assertThat(pool.register(a, 9L)).isTrue();
        assertThat(pool.register(b, 9L)).isFalse();
        assertThat(pool.lookup(9L)).isEqualTo(a);
    }

    @Test
    void resetRefusesWhileBlocksAreInUse() {
        KvBlockPool pool = new KvBlockPool(3);
        int a = pool.allocate(new LongArrayList());
        pool.register(a, 1L);
        assertThat(pool.resetCache()).isFalse();
        pool.release(a);
        assertThat(pool.resetCache()).isTrue();
        assertThat(pool.lookup(1L)).isNegative();
        LongArrayList evicted = new LongArrayList();
        pool.allocate(evicted);
        pool.allocate(evicted);
        assertThat(evicted.toLongArray()).isEmpty();
    }
}
