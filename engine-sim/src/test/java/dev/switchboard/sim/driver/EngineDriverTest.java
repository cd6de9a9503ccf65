package dev.switchboard.sim.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.contract.EngineRole;
import dev.switchboard.sim.core.CoreEvent;
import dev.switchboard.sim.core.CoreRequest;
import dev.switchboard.sim.core.EngineConfig;
import dev.switchboard.sim.core.EngineCore;
import dev.switchboard.sim.core.FinishReason;
import dev.switchboard.sim.core.FixedStepCostModel;

/** The driver thread: delivery order, pacing, timing observations, abort, rejection, pause. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EngineDriverTest {
    private static final long STEP = 10_000_000; // 10 ms per step
    private EngineDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** Records what one request heard. */
    static final class Recorder implements RequestListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        volatile CoreEvent.Finished finished;
        volatile long slowNanos;

        @Override
        public void onFirstToken(int cachedTokens) {
            calls.add("first:" + cachedTokens);
            pause();
        }

        @Override
        public void onToken(int outputIndex) {
            calls.add("token:" + outputIndex);
            pause();
        }

        @Override
        public void onFinished(CoreEvent.Finished f) {
            finished = f;
            calls.add("finished:" + f.reason().wireName());
            done.countDown();
        }

        @Override
        public void onRejected(String message) {
            calls.add("rejected");
            done.countDown();
        }

        private void pause() {
            if (slowNanos > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(slowNanos);
            }
        }
    }

    /** Records timing observations. */
    static final class Timings implements DriverObserver {
        final List<Long> ttft = new CopyOnWriteArrayList<>();
        final List<Long> itl = new CopyOnWriteArrayList<>();

        @Override
        public void onFirstToken(String requestId, long ttftNanos) {
            ttft.add(ttftNanos);
        }

        @Override
        public void onToken(String requestId, long itlNanos) {
            itl.add(itlNanos);
        }
    }

    private EngineDriver start(Pacer pacer, DriverObserver observer, int numGpuBlocks, EngineRole role) {
        EngineCore core = new EngineCore(EngineConfig.builder(numGpuBlocks).role(role).build(),
                new FixedStepCostModel(STEP, 131072));
        driver = new EngineDriver("t", core, pacer, observer).start();
        return driver;
    }

    private static CoreRequest request(String id, int promptTokens, int maxOutput) {
        long[] hashes = new long[promptTokens / 16];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = id.hashCode() * 31L + i;
        }
        return CoreRequest.ofBlockHashes(id, hashes, promptTokens, maxOutput, 0);
    }

    @Test
    void tokensArriveInOrderThenTheFinishWithModelledTimings() throws Exception {
        Timings timings = new Timings();
        start(Pacer.instant(), timings, 1000, EngineRole.UNIFIED);
        Recorder r = new Recorder();
        driver.submit(request("a", 100, 4), r);
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(r.calls).containsExactly("first:0", "token:1", "token:2", "token:3", "finished:length");
        assertThat(timings.ttft).containsExactly(STEP);
        assertThat(timings.itl).containsExactly(STEP, STEP, STEP);
        assertThat(driver.stats().generationTokens()).isEqualTo(4);
    }

    @Test
    void scaledPacingTakesTheModelledTimeDividedBySpeed() throws Exception {
        start(Pacer.scaled(5), DriverObserver.all(), 1000, EngineRole.UNIFIED);
        Recorder r = new Recorder();
        long t0 = System.nanoTime();
        driver.submit(request("a", 16, 20), r); // 20 steps of 10 ms = 200 ms simulated = 40 ms at 5x
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        long wallMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(wallMillis).isBetween(38L, 400L);
    }

    @Test
    void aSlowHostDelaysDeliveryButNotTheModelledLatenciesAndIsReportedAsLag() throws Exception {
        Timings timings = new Timings();
        start(Pacer.scaled(10), timings, 1000, EngineRole.UNIFIED); // a step lasts 1 ms of wall time
        Recorder r = new Recorder();
        r.slowNanos = 3_000_000; // each delivery takes 3 ms: the host cannot keep up
        driver.submit(request("a", 16, 10), r);
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(timings.itl).hasSize(9).allSatisfy(itl -> assertThat(itl).isEqualTo(STEP));
        // 3 ms of delivery per 1 ms step: the modelled clock falls behind by ~2 ms more every step
        assertThat(driver.driverStats().maxLagNanos()).isGreaterThan(5 * STEP);
    }

    /**
     * A fake wall clock on which the driver thread always runs late: each of its readings is 5 ms after the
     * previous one (a loaded host waking the thread late), while the submitting thread reads it unchanged.
     */
    private static Pacer lateWakingPacer(java.util.concurrent.atomic.AtomicLong wall) {
        return Pacer.scaled(1, () -> Thread.currentThread().getName().startsWith("sim-driver-")
                ? wall.addAndGet(5_000_000) : wall.get(), wall::addAndGet);
    }

    @Test
    void anIdleEngineStartsAtTheArrivalHoweverLateItsThreadWakes() throws Exception {
        java.util.concurrent.atomic.AtomicLong wall = new java.util.concurrent.atomic.AtomicLong();
        Timings timings = new Timings();
        start(lateWakingPacer(wall), timings, 1000, EngineRole.UNIFIED);
        for (String id : List.of("first", "after-idling")) {
            Recorder r = new Recorder();
            driver.submit(request(id, 16, 3), r);
            assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(timings.ttft).containsExactly(STEP, STEP);
        assertThat(timings.itl).containsExactly(STEP, STEP, STEP, STEP);
    }

    @Test
    void workQueuedDuringAPauseStartsAtTheResumeNotAtItsArrival() throws Exception {
        java.util.concurrent.atomic.AtomicLong wall = new java.util.concurrent.atomic.AtomicLong();
        Timings timings = new Timings();
        start(lateWakingPacer(wall), timings, 1000, EngineRole.UNIFIED);
        driver.setPaused(true);
        Recorder r = new Recorder();
        driver.submit(request("a", 16, 1), r);
        wall.addAndGet(50_000_000); // paused for 50 ms
        driver.setPaused(false);
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(timings.ttft).singleElement().satisfies(t -> assertThat(t).isGreaterThanOrEqualTo(50_000_000 + STEP));
    }

    @Test
    void anAbortEndsTheRequestWithReasonAbort() throws Exception {
        start(Pacer.scaled(1), DriverObserver.all(), 1000, EngineRole.UNIFIED);
        Recorder r = new Recorder();
        driver.submit(request("a", 16, 1000), r);
        Thread.sleep(50);
        driver.abort("a");
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(r.finished.reason()).isEqualTo(FinishReason.ABORT);
        assertThat(driver.stats().finishedAbort()).isEqualTo(1);
        assertThat(driver.stats().kvUsage()).isZero();
    }

    @Test
    void aRequestThatCanNeverFitIsRejected() throws Exception {
        start(Pacer.instant(), DriverObserver.all(), 10, EngineRole.UNIFIED);
        Recorder r = new Recorder();
        driver.submit(request("big", 1000, 1), r);
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(r.calls).containsExactly("rejected");
    }

    @Test
    void aPausedDriverProducesNothingUntilResumed() throws Exception {
        start(Pacer.scaled(1), DriverObserver.all(), 1000, EngineRole.UNIFIED);
        driver.setPaused(true);
        Recorder r = new Recorder();
        driver.submit(request("a", 16, 2), r);
        Thread.sleep(100);
        assertThat(r.calls).isEmpty();
        assertThat(driver.stats().waiting()).isEqualTo(1);
        driver.setPaused(false);
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(r.calls).hasSize(3);
    }

    @Test
    void aRemotelyPrefilledRequestWaitsForItsTransferEvenInInstantMode() throws Exception {
        Timings timings = new Timings();
        start(Pacer.instant(), timings, 1000, EngineRole.DECODE);
        Recorder r = new Recorder();
        driver.submit(request("d", 4096, 2).withPrefilledRemotely(true), r);
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(r.calls.get(0)).isEqualTo("first:4095");
        long transfer = 1_000_000 + (long) Math.ceil(4096 * 131072L * 1e9 / 25e9);
        assertThat(timings.ttft).containsExactly(transfer + STEP);
    }

    @Test
    void abortAllDropsPinnedPrefillKvSoTheCacheCanBeReset() throws Exception {
        start(Pacer.instant(), DriverObserver.all(), 1000, EngineRole.UNIFIED);
        Recorder r = new Recorder();
        driver.submit(request("p", 64, 5).withRemoteDecode(true), r);
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(r.finished.kvBlockIds()).hasSize(4);
        assertThat(driver.stats().pinned()).isEqualTo(1);
        assertThat(driver.resetPrefixCache().get(5, TimeUnit.SECONDS)).isFalse(); // pinned blocks are in use
        driver.abortAll();
        assertThat(driver.resetPrefixCache().get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(driver.stats().pinned()).isZero();
    }
}
