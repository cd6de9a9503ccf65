package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.EngineRole;

/** Prefill role keeps KV for pickup; decode role waits for the transfer instead of prefilling. */
class EngineRolesTest {
    private static final GpuProfile LLAMA = GpuProfiles.h100("llama-3-8b");

    private static Sim sim(EngineRole role) {
        return new Sim(Sim.llama(EngineConfig.builder(LLAMA).role(role).build()));
    }

    @Test
    void prefillRoleFinishesAfterOneTokenWithLengthAndPinsTheKvUntilReleased() {
        Sim sim = sim(EngineRole.PREFILL);
        sim.submit("p", Sim.tokens(1, 1000), 200);
        StepResult r = sim.step();
        CoreEvent.Finished f = sim.trace("p").finished;
        assertThat(f.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(f.outputTokens()).isEqualTo(1);
        assertThat(f.kvBlockIds()).hasSize(63).doesNotHaveDuplicates().doesNotContain(0); // ceil(1000 / 16)
        assertThat(r.events()).hasSize(2); // first token, finished
        EngineStats s = sim.core.stats();
        assertThat(s.running()).isZero();
        assertThat(s.pinned()).isEqualTo(1);
        assertThat(s.kvUsage()).isCloseTo(63.0 / (s.numGpuBlocks() - 1), within(1e-12));
        assertThat(sim.core.isLive("p")).isTrue();

        assertThat(sim.core.releaseKv("p")).isTrue();
        assertThat(sim.core.releaseKv("p")).isFalse();
        assertThat(sim.core.kvUsage()).isZero();
        assertThat(sim.core.stats().cachedBlocks()).isEqualTo(62); // still reusable as prefix cache
        assertThat(sim.core.isLive("p")).isFalse();
    }

    @Test
    void unclaimedPrefillKvIsFreedAfterThePickupTimeout() {
        Sim sim = new Sim(Sim.llama(EngineConfig.builder(LLAMA).role(EngineRole.PREFILL)
                .kvPickupTimeout(Duration.ofSeconds(2)).build()));
        sim.submit("p", Sim.tokens(1, 100), 1);
        StepResult r = sim.step();
        long deadline = r.endNanos() + 2_000_000_000L;
        sim.core.step(deadline - 1);
        assertThat(sim.core.stats().pinned()).isEqualTo(1);
        sim.core.step(deadline);
        assertThat(sim.core.stats().pinned()).isZero();
        assertThat(sim.core.stats().kvPickupTimeouts()).isEqualTo(1);
        assertThat(sim.core.kvUsage()).isZero();
    }

    @Test
    void pinnedKvBlocksNewWorkUntilItExpiresInsteadOfDeadlocking() {
        EngineCore core = new EngineCore(EngineConfig.builder(11).role(EngineRole.PREFILL)
                .kvPickupTimeout(Duration.ofMillis(50)).build(), Sim.fixedCost(1_000_000, 0));
        Sim sim = new Sim(core);
        sim.submit("a", Sim.tokens(1, 140), 1); // 9 of 10 usable blocks, pinned
        sim.step();
        sim.submit("b", Sim.tokens(2, 100), 1); // needs 7
        StepResult blocked = sim.step();
        assertThat(blocked.idle()).isTrue();
        assertThat(blocked.nextWakeNanos()).isEqualTo(1_000_000 + 50_000_000);
        sim.runUntilDone(10);
        assertThat(sim.trace("b").finished.reason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void decodeRoleWaitsForTheTransferAndComputesOnlyTheLastPromptToken() {
        Sim sim = sim(EngineRole.DECODE);
        int prompt = 4096;
        sim.submit(CoreRequest.ofTokenIds("d", Sim.tokens(1, prompt), 10, 0).withPrefilledRemotely(true));
        StepResult start = sim.step();
        assertThat(start.idle()).isTrue();
        long transfer = 1_000_000 + (long) Math.ceil(prompt * 131072L * 1e9 / 25e9); // setup + bytes / 25 GB/s
        assertThat(start.nextWakeNanos()).isEqualTo(transfer);
        assertThat(sim.core.stats().waiting()).isEqualTo(1); // vLLM counts WAITING_FOR_REMOTE_KVS as waiting
        assertThat(sim.core.kvUsage()).isPositive();         // blocks are allocated for the incoming KV
        StepResult first = sim.step();
        assertThat(first.startNanos()).isEqualTo(transfer);
        assertThat(first.prefillTokens()).isEqualTo(1);
        assertThat(sim.trace("d").firstToken.cachedTokens()).isEqualTo(prompt - 1);
        sim.runUntilDone(20);
        Sim.Trace t = sim.trace("d");
        assertThat(t.finished.outputTokens()).isEqualTo(10);
        // TTFT = transfer (22.5 ms) + one decode-sized step, far below a local 4k prefill (~120 ms)
        assertThat(t.ttftNanos() / 1e6).isCloseTo(22.47 + 7.5, withPercentage(5));
        Sim local = sim(EngineRole.UNIFIED);
        local.submit("u", Sim.tokens(1, prompt), 10);
        local.runUntilDone(20);
        assertThat(local.trace("u").ttftNanos()).isGreaterThan(3 * t.ttftNanos());
        assertThat(sim.core.stats().promptTokens()).isEqualTo(prompt);
    }

    @Test
    void decodeRoleTransfersOnlyWhatItsOwnPrefixCacheLacks() {
        Sim sim = sim(EngineRole.DECODE);
        sim.submit("local", Sim.tokens(0, 2048), 1); // a local prefill puts the shared 2048 tokens in the cache
        sim.runUntilDone(10);
        long t0 = sim.now;
        sim.submit(CoreRequest.ofTokenIds("d", Sim.sharedPrefix(2048, 1, 4096), 1, t0).withPrefilledRemotely(true));
        // its first 2048 tokens (128 blocks) are the local request's
        StepResult start = sim.step();
        long missing = 4096 - 2048;
        long expected = 1_000_000 + (long) Math.ceil(missing * 131072L * 1e9 / 25e9);
        assertThat(start.nextWakeNanos() - t0).isEqualTo(expected);
    }

    @Test
    void abortingARequestWaitingForItsTransferFreesItsBlocks() {
        Sim sim = sim(EngineRole.DECODE);
        sim.submit(CoreRequest.ofTokenIds("d", Sim.tokens(1, 1000), 10, 0).withPrefilledRemotely(true));
        sim.step();
        assertThat(sim.core.kvUsage()).isPositive();
        assertThat(sim.core.abort("d", sim.now)).isTrue();
        assertThat(sim.core.kvUsage()).isZero();
        assertThat(sim.core.stats().waiting()).isZero();
    }
}
