package dev.switchboard.sim.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Simulated time against a fake wall clock. */
class PacerTest {

    @Test
    void scaledPacingRunsSpeedTimesFasterThanTheWallClock() throws Exception {
        AtomicLong wall = new AtomicLong(1_000_000);
        AtomicLong slept = new AtomicLong();
        Pacer pacer = Pacer.scaled(10, wall::get, nanos -> {
            slept.addAndGet(nanos);
            wall.addAndGet(nanos);
        });
        assertThat(pacer.now()).isZero();
        wall.addAndGet(2_000_000);
        assertThat(pacer.now()).isEqualTo(20_000_000); // 2 ms of wall = 20 ms simulated
        assertThat(pacer.wallNanosUntil(120_000_000)).isEqualTo(10_000_000);
        pacer.awaitSim(120_000_000);
        assertThat(slept.get()).isEqualTo(10_000_000);
        assertThat(pacer.now()).isEqualTo(120_000_000);
        pacer.awaitSim(50_000_000); // in the past: no wait
        assertThat(slept.get()).isEqualTo(10_000_000);
        assertThat(pacer.wallNanosUntil(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aSleeperThatWakesEarlyIsCalledAgain() throws Exception {
        AtomicLong wall = new AtomicLong();
        int[] calls = {0};
        Pacer pacer = Pacer.scaled(1, wall::get, nanos -> {
            calls[0]++;
            wall.addAndGet(nanos / 2 + 1);
        });
        pacer.awaitSim(1_000);
        assertThat(pacer.now()).isGreaterThanOrEqualTo(1_000);
        assertThat(calls[0]).isGreaterThan(1);
    }

    @Test
    void instantPacingJumpsAndNeverGoesBack() throws Exception {
        Pacer pacer = Pacer.instant();
        assertThat(pacer.now()).isZero();
        pacer.awaitSim(5_000);
        assertThat(pacer.now()).isEqualTo(5_000);
        pacer.awaitSim(3_000);
        assertThat(pacer.now()).isEqualTo(5_000);
        assertThat(pacer.wallNanosUntil(9_000)).isZero();
        assertThat(pacer.wallNanosUntil(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }
}
