package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Continuous batching: budget, sequence cap, decode-first chunked prefill, finish reasons, time. */
class EngineCoreSchedulingTest {

    private static EngineCore fixedCore(EngineConfig config) {
        return new EngineCore(config, Sim.fixedCost(1_000_000, 1_000));
    }

    @ParameterizedTest(name = "budget {0}, cap {1}, {2} blocks, {3} requests")
    @CsvSource({"8192, 1024, 30000, 1200", "256, 8, 4000, 60", "64, 4, 400, 60", "100, 32, 300, 60", "1, 1, 200, 20",
            "16, 64, 2000, 60"})
    void tokenBudgetAndSequenceCapHoldEveryStep(int budget, int cap, int blocks, int requests) {
        EngineCore core = fixedCore(EngineConfig.builder(blocks).tokenBudget(budget).maxNumSeqs(cap).build());
        Sim sim = new Sim(core);
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < requests; i++) {
            int prompt = 1 + rnd.nextInt(Math.min(600, (blocks - 1) * 16 / 3));
            sim.submit(CoreRequest.ofTokenIds("r" + i, Sim.tokens(i % 2 == 0 ? 0 : i, prompt), 1 + rnd.nextInt(40),
                    rnd.nextInt(50_000_000)));
        }
        boolean capReached = false;
        boolean budgetReached = false;
        for (int i = 0; i < 200_000 && (core.stats().running() + core.stats().waiting()) > 0; i++) {
            StepResult r = sim.step();
            assertThat(r.scheduledTokens()).isLessThanOrEqualTo(budget);
            assertThat(r.scheduledSeqs()).isLessThanOrEqualTo(cap);
            assertThat(core.stats().running()).isLessThanOrEqualTo(cap);
            capReached |= r.scheduledSeqs() == cap;
            budgetReached |= r.scheduledTokens() == budget;
        }
        assertThat(sim.traces.values()).allSatisfy(t -> assertThat(t.finished).isNotNull());
        assertThat(capReached || budgetReached).as("the workload must press on a limit").isTrue();
    }

    @Test
    void longPromptIsPrefilledInBudgetSizedChunksWhileDecodesContinue() {
        EngineCore core = Sim.llama(EngineConfig.builder(GpuProfiles.h100("llama-3-8b")).build());
        Sim sim = new Sim(core);
        sim.submit("chat", Sim.tokens(1, 100), 50);
        sim.step(); // prefill of "chat"
        sim.submit("long", Sim.tokens(2, 20_000), 5);
        StepResult s1 = sim.step();
        StepResult s2 = sim.step();
        StepResult s3 = sim.step();
        // decodes first, then the prefill fills what is left of the 8192-token budget
        assertThat(List.of(s1.decodeTokens(), s2.decodeTokens(), s3.decodeTokens())).containsOnly(1);
        assertThat(List.of(s1.prefillTokens(), s2.prefillTokens(), s3.prefillTokens())).containsExactly(8191, 8191, 3618);
        assertThat(List.of(s1.scheduledTokens(), s2.scheduledTokens())).containsOnly(8192);
        assertThat(sim.trace("long").firstToken).isNotNull();
        assertThat(sim.trace("long").tokenTimes).hasSize(1);
        // the chat request kept decoding: one token per step
        assertThat(sim.trace("chat").tokenTimes).hasSize(4);
    }

    @Test
    void decodesAreScheduledBeforeAnyPrefillWhenTheBudgetIsTight() {
        EngineCore core = fixedCore(EngineConfig.builder(1000).tokenBudget(10).maxNumSeqs(100).build());
        Sim sim = new Sim(core);
        for (int i = 0; i < 8; i++) {
            sim.submit("d" + i, Sim.tokens(i + 1, 1), 100);
        }
        sim.step(); // 8 one-token prompts prefilled
        sim.submit("p", Sim.tokens(20, 50), 1);
        StepResult r = sim.step();
        assertThat(r.decodeTokens()).isEqualTo(8);
        assertThat(r.prefillTokens()).isEqualTo(2);
    }

    @Test
    void sequenceCapKeepsLaterRequestsWaitingFcfs() {
        EngineCore core = fixedCore(EngineConfig.builder(1000).maxNumSeqs(2).build());
        Sim sim = new Sim(core);
        sim.submit("a", Sim.tokens(1, 10), 3).submit("b", Sim.tokens(2, 10), 3).submit("c", Sim.tokens(3, 10), 3);
        StepResult first = sim.step();
        assertThat(first.scheduledSeqs()).isEqualTo(2);
        assertThat(core.stats().running()).isEqualTo(2);
        assertThat(core.stats().waiting()).isEqualTo(1);
        sim.runUntilDone(100);
        assertThat(sim.trace("c").tokenTimes.get(0)).isGreaterThan(sim.trace("b").tokenTimes.get(2) - 1);
    }

    @Test
    void finishesWithStopAtTheNaturalLengthOrLengthAtMaxTokens() {
        Sim sim = new Sim(fixedCore(EngineConfig.builder(1000).build()));
        sim.submit(CoreRequest.ofTokenIds("natural", Sim.tokens(1, 40), 100, 0).withStopAfter(7));
        sim.submit(CoreRequest.ofTokenIds("capped", Sim.tokens(2, 40), 5, 0).withStopAfter(7));
        sim.submit(CoreRequest.ofTokenIds("exact", Sim.tokens(3, 40), 7, 0).withStopAfter(7));
        sim.runUntilDone(100);
        assertThat(sim.trace("natural").finished.reason()).isEqualTo(FinishReason.STOP);
        assertThat(sim.trace("natural").finished.outputTokens()).isEqualTo(7);
        assertThat(sim.trace("capped").finished.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(sim.trace("capped").finished.outputTokens()).isEqualTo(5);
        assertThat(sim.trace("exact").finished.reason()).isEqualTo(FinishReason.STOP);
        Sim.Trace t = sim.trace("natural");
        assertThat(t.firstTokens).isEqualTo(1);
        assertThat(t.outputIndexes).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(sim.core.stats().generationTokens()).isEqualTo(7 + 5 + 7);
        assertThat(sim.core.stats().promptTokens()).isEqualTo(120);
        assertThat(sim.core.stats().finishedStop()).isEqualTo(2);
        assertThat(sim.core.stats().finishedLength()).isEqualTo(1);
    }

    @Test
    void stepDurationIsTheCostModelsAndEventsCarryTimestamps() {
        Sim sim = new Sim(fixedCore(EngineConfig.builder(1000).build()));
        sim.now = 5_000_000;
        sim.submit("a", Sim.tokens(1, 100), 2);
        StepResult prefill = sim.step();
        assertThat(prefill.startNanos()).isEqualTo(5_000_000);
        assertThat(prefill.durationNanos()).isEqualTo(1_000_000 + 100 * 1_000);
        assertThat(prefill.nextWakeNanos()).isEqualTo(prefill.endNanos());
        StepResult decode = sim.step();
        assertThat(decode.durationNanos()).isEqualTo(1_001_000);
        CoreEvent.RequestTimes times = sim.trace("a").finished.times();
        assertThat(times.arrivalNanos()).isEqualTo(5_000_000);
        assertThat(times.firstScheduledNanos()).isEqualTo(5_000_000);
        assertThat(times.firstTokenNanos()).isEqualTo(prefill.endNanos());
        assertThat(times.finishedNanos()).isEqualTo(decode.endNanos());
        StepResult idle = sim.step();
        assertThat(idle.idle()).isTrue();
        assertThat(idle.durationNanos()).isZero();
        assertThat(idle.nextWakeNanos()).isEqualTo(StepResult.NEVER);
    }

    @Test
    void futureArrivalsWaitAndTheIdleStepSaysWhenToWake() {
        Sim sim = new Sim(fixedCore(EngineConfig.builder(1000).build()));
        sim.submit(CoreRequest.ofTokenIds("later", Sim.tokens(1, 10), 1, 7_000_000));
        StepResult idle = sim.step();
        assertThat(idle.idle()).isTrue();
        assertThat(idle.nextWakeNanos()).isEqualTo(7_000_000);
        assertThat(sim.now).isEqualTo(7_000_000);
        assertThat(sim.step().prefillTokens()).isEqualTo(10);
    }

    @Test
    void slowdownMultipliesStepTime() {
        EngineCore core = fixedCore(EngineConfig.builder(1000).build());
        core.setSlowdown(3);
        core.submit(CoreRequest.ofTokenIds("a", Sim.tokens(1, 10), 1, 0));
        assertThat(core.step(0).durationNanos()).isEqualTo(3 * 1_010_000);
        assertThatThrownBy(() -> core.setSlowdown(0)).hasMessage("slowdown must be a finite number > 0, but was 0.0");
    }

    @Test
    void abortFreesBlocksAndReportsAbortInTheNextStep() {
        EngineCore core = fixedCore(EngineConfig.builder(100).build());
        Sim sim = new Sim(core);
        sim.submit("a", Sim.tokens(1, 100), 50);
        sim.step();
        assertThat(core.kvUsage()).isGreaterThan(0);
        assertThat(core.abort("a", sim.now)).isTrue();
        assertThat(core.abort("a", sim.now)).isFalse();
        assertThat(core.kvUsage()).isZero();
        StepResult next = sim.step();
        assertThat(next.events()).singleElement().isInstanceOfSatisfying(CoreEvent.Finished.class,
                f -> assertThat(f.reason()).isEqualTo(FinishReason.ABORT));
        assertThat(core.stats().finishedAbort()).isEqualTo(1);
        assertThat(core.isLive("a")).isFalse();
    }

    @Test
    void sameInputsGiveTheSameOutputs() {
        assertThat(runWorkload()).isEqualTo(runWorkload());
    }

    private static List<String> runWorkload() {
        Sim sim = new Sim(fixedCore(EngineConfig.builder(60).tokenBudget(128).maxNumSeqs(8).build()));
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 30; i++) {
            sim.submit(CoreRequest.ofTokenIds("r" + i, Sim.sharedPrefix(64, i, 80 + rnd.nextInt(200)), 1 + rnd.nextInt(60),
                    rnd.nextInt(20_000_000)));
        }
        sim.runUntilDone(100_000);
        return sim.steps.stream().map(s -> s.startNanos() + ":" + s.durationNanos() + ":" + s.events() + s.kvEvents()).toList();
    }

    @Test
    void rejectsInvalidRequestsAndClocks() {
        EngineCore core = fixedCore(EngineConfig.builder(10).build());
        core.submit(CoreRequest.ofTokenIds("a", Sim.tokens(1, 10), 1, 0));
        assertThatThrownBy(() -> core.submit(CoreRequest.ofTokenIds("a", Sim.tokens(1, 10), 1, 0)))
                .hasMessage("request id 'a' is already in the engine");
        assertThatThrownBy(() -> core.submit(CoreRequest.ofBlockHashes("h", new long[] {1, 2}, 31, 1, 0)))
                .hasMessage("promptBlockHashes must have at most promptTokens / blockSize = 1 entries, but had 2");
        assertThatThrownBy(() -> core.submit(CoreRequest.ofTokenIds("big", Sim.tokens(1, 140), 20, 0)))
                .hasMessage("request 'big' needs 10 KV blocks for 140 prompt + 20 output tokens, but the engine has only 9");
        core.step(100);
        assertThatThrownBy(() -> core.step(99)).hasMessage("nowNanos must not go backwards, but was 99 after 100");
        assertThatThrownBy(() -> CoreRequest.ofTokenIds("x", new int[0], 1, 0))
                .hasMessage("promptTokens must be >= 1, but was 0");
        assertThatThrownBy(() -> CoreRequest.ofTokenIds("x", new int[1], 0, 0))
                .hasMessage("maxOutputTokens must be >= 1, but was 0");
    }

    @Test
    void configValidatesWithPreciseMessages() {
        assertThatThrownBy(() -> EngineConfig.builder(100).tokenBudget(0).build())
                .hasMessage("tokenBudget must be >= 1, but was 0");
        assertThatThrownBy(() -> EngineConfig.builder(100).maxNumSeqs(0).build())
                .hasMessage("maxNumSeqs must be >= 1, but was 0");
        assertThatThrownBy(() -> EngineConfig.builder(1).build()).hasMessage("numGpuBlocks must be >= 2, but was 1");
        assertThatThrownBy(() -> EngineConfig.builder(100).kvPickupTimeout(java.time.Duration.ZERO).build())
                .hasMessage("kvPickupTimeout must be > 0, but was PT0S");
        EngineConfig defaults = EngineConfig.builder(GpuProfiles.h100("llama-3-8b")).build();
        assertThat(defaults.tokenBudget()).isEqualTo(8192);
        assertThat(defaults.maxNumSeqs()).isEqualTo(1024);
        assertThat(defaults.blockSize()).isEqualTo(16);
        assertThat(defaults.role()).isEqualTo(dev.switchboard.contract.EngineRole.UNIFIED);
    }
}
