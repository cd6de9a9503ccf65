package dev.switchboard.bench.des;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.bench.live.LiveConfig;
import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.workload.GeneratorParams;
import dev.switchboard.bench.workload.HeavyTenantWorkload;
import dev.switchboard.bench.workload.SharedPrefixWorkload;
import dev.switchboard.bench.workload.SyntheticText;
import dev.switchboard.bench.workload.Workload;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.scheduler.admission.AdmissionConfig;
import dev.switchboard.sim.core.CalibratedStepCostModel;
import dev.switchboard.sim.core.CoreEvent;
import dev.switchboard.sim.core.CoreRequest;
import dev.switchboard.sim.core.EngineConfig;
import dev.switchboard.sim.core.EngineCore;
import dev.switchboard.sim.core.GpuProfiles;
import dev.switchboard.sim.core.StepResult;

/** Virtual-time replays of tiny workloads; each runs in well under a second. */
@Timeout(60)
class DesSimulationTest {
    private static final PolicySpec DEFAULT = PolicySpec.resolve("switchboard-default");
    private static final PolicySpec ROUND_ROBIN = PolicySpec.resolve("round-robin");

    /** b2b-saas in small: {@code groups} system prompts of 2000 tokens, 8 short questions each. */
    private static PreparedWorkload sharedPrefix(long seed, int groups, double rate) {
        Workload w = SharedPrefixWorkload.b2bSaas(new GeneratorParams("b2b-saas", Map.of("groups", String.valueOf(groups),
                "prompts-per-group", "8", "system-tokens", "2000", "question-tokens", "100", "output-tokens", "20",
                "rate", String.valueOf(rate))), seed).generate("b2b-saas");
        return PreparedWorkload.prepare(w, "llama-3-8b", 1, new SyntheticText());
    }

    private static DesSimulation des(String cluster) {
        return new DesSimulation(DesConfig.of(ClusterSpec.parse(cluster)));
    }

    @Test
    void theSameSeedGivesTheSameNumbersAndAnotherSeedOtherOnes() {
        DesSimulation des = des("4xH100");
        DesOutcome a = des.run(sharedPrefix(7, 4, 8), DEFAULT);
        DesOutcome b = des.run(sharedPrefix(7, 4, 8), DEFAULT);
        DesOutcome c = des.run(sharedPrefix(8, 4, 8), DEFAULT);

        assertThat(a.report().failed()).isZero();
        assertThat(withoutWallTime(a.report())).isEqualTo(withoutWallTime(b.report()));
        assertThat(a.requests()).isEqualTo(b.requests());
        assertThat(a.requests()).isNotEqualTo(c.requests());
        assertThat(a.report().ttftMs()).isNotEqualTo(c.report().ttftMs());
    }

    @Test
    void cacheAwareRoutingFindsMoreOfTheSharedPrefixesThanRoundRobin() {
        PreparedWorkload w = sharedPrefix(3, 4, 4);
        DesSimulation des = des("4xH100");
        RunReport aware = des.run(w, DEFAULT).report();
        RunReport rr = des.run(w, ROUND_ROBIN).report();

        // round-robin spreads each group over every engine: each engine computes each system prompt once
        assertThat(aware.prefixHitActual()).isGreaterThan(rr.prefixHitActual() + 0.15);
        assertThat(aware.prefixHitPredicted()).isCloseTo(aware.prefixHitActual(), org.assertj.core.data.Offset.offset(0.05));
        assertThat(rr.prefixHitPredicted()).isCloseTo(rr.prefixHitActual(), org.assertj.core.data.Offset.offset(0.05));
        assertThat(aware.simulation().decisionsUnified()).isEqualTo(32);
    }

    @Test
    void aDisaggregatedClusterRunsPrefillAndDecodeLegs() {
        PreparedWorkload w = sharedPrefix(5, 3, 4);
        DesOutcome o = des("2xH100:llama-3-8b:prefill,2xH100:llama-3-8b:decode").run(w, DEFAULT);

        assertThat(o.report().failed()).isZero();
        assertThat(o.report().simulation().decisionsDisaggregated()).isPositive();
        assertThat(o.prefillLegs()).isEqualTo(o.report().simulation().decisionsDisaggregated());
        List<DesOutcome.RequestRecord> split = o.requests().stream().filter(r -> r.prefillEndpoint() != null).toList();
        assertThat(split).hasSize((int) o.prefillLegs()).allSatisfy(r -> {
            assertThat(r.prefillEndpoint()).startsWith("prefill-");
            assertThat(r.decodeEndpoint()).startsWith("decode-");
            assertThat(r.outputTokens()).isEqualTo(20); // the decode leg generates the whole answer
            assertThat(r.ttftNanos()).isPositive();
        });
        // the first request of a group has nothing cached anywhere: its prefill moves to a prefill engine
        assertThat(o.requests().get(0).prefillEndpoint()).isNotNull();
        assertThat(o.report().outputTokens()).isEqualTo(20L * w.size());
    }

    @Test
    void virtualTimeIsTheEngineCoresStepTime() {
        PreparedWorkload w = sharedPrefix(11, 1, 2);
        DesOutcome o = des("1xH100").run(w, DEFAULT);

        // drive a lone EngineCore over the same requests: TTFT and end-to-end must match to the nanosecond
        EngineCore core = new EngineCore(EngineConfig.builder(GpuProfiles.h100("llama-3-8b")).build(),
                new CalibratedStepCostModel(GpuProfiles.h100("llama-3-8b")));
        Map<String, Long> arrival = new HashMap<>();
        for (DesRequest r : w.requests()) {
            core.submit(CoreRequest.ofBlockHashes(r.id(), r.blockHashes(), r.promptTokens(), r.outputTokens(), r.arrivalNanos())
                    .withContentKey(r.contentKey()));
            arrival.put(r.id(), r.arrivalNanos());
        }
        Map<String, Long> ttft = new HashMap<>();
        Map<String, Long> e2e = new HashMap<>();
        long now = 0;
        long busy = 0;
        while (e2e.size() < w.size()) {
            StepResult step = core.step(now);
            busy += step.durationNanos();
            for (CoreEvent e : step.events()) {
                if (e instanceof CoreEvent.FirstToken) {
                    ttft.put(e.requestId(), step.endNanos() - arrival.get(e.requestId()));
                } else if (e instanceof CoreEvent.Finished) {
                    e2e.put(e.requestId(), step.endNanos() - arrival.get(e.requestId()));
                }
            }
            now = step.nextWakeNanos();
        }
        for (DesOutcome.RequestRecord r : o.requests()) {
            assertThat(r.ttftNanos()).as("TTFT of req-%d", r.index()).isEqualTo(ttft.get("req-" + r.index()));
            assertThat(r.e2eNanos()).as("e2e of req-%d", r.index()).isEqualTo(e2e.get("req-" + r.index()));
        }
        assertThat(o.report().simulation().steps()).isEqualTo(core.stats().steps());
        assertThat(busy).isEqualTo(core.stats().busyNanos());
        long lastFinish = w.requests().stream().mapToLong(r -> r.arrivalNanos() + e2e.get(r.id())).max().orElseThrow();
        assertThat(o.report().simulation().virtualS()).isEqualTo(Math.round(lastFinish / 1e6) / 1e3);
    }

    @Test
    void requestsNoEngineCanHoldFailLikeOnTheHttpPath() {
        DesConfig tight = DesConfig.of(ClusterSpec.parse("2xH100")).withMaxModelLen(1000);
        DesOutcome o = new DesSimulation(tight).run(sharedPrefix(1, 1, 4), ROUND_ROBIN);
        assertThat(o.report().failed()).isEqualTo(8);
        assertThat(o.report().errors()).containsEntry("400", 8L);
        assertThat(o.sloMet()).isFalse();
        // the scheduler rejects them before any engine sees them, with the same client error (400 context length)
        DesOutcome filtered = new DesSimulation(tight).run(sharedPrefix(1, 1, 4), DEFAULT);
        assertThat(filtered.report().errors()).containsExactlyEntriesOf(java.util.Map.of("400", 8L));
    }

    @Test
    void aReplayWhoseTtftSloIsOutOfReachStopsEarly() {
        DesConfig config = DesConfig.of(ClusterSpec.parse("1xH100"))
                .withSlo(new LiveConfig.Slo(Duration.ofMillis(1), Duration.ofMillis(50)));
        DesOutcome o = new DesSimulation(config).run(sharedPrefix(2, 4, 50), DEFAULT, DesSimulation.Listener.NONE, true);
        assertThat(o.report().simulation().aborted()).isTrue();
        assertThat(o.sloMet()).isFalse();
        assertThat(o.report().requests()).isLessThan(32);
    }

    @Test
    void fairAdmissionProtectsLightTenantsFromAFloodingOne() {
        // light tenants at 3 req/s each, the heavy one at 8x that: more than one H100 serves, so requests queue
        PreparedWorkload prepared = heavyTenant("8");
        DesConfig base = DesConfig.of(ClusterSpec.parse("1xH100"));
        RunReport fair = new DesSimulation(base).run(prepared, DEFAULT).report();
        RunReport fifo = new DesSimulation(base.withAdmission(Admission.FIFO, TenantsConfig.empty())).run(prepared, DEFAULT).report();

        assertThat(fair.admission()).isEqualTo("fair");
        assertThat(fifo.admission()).isEqualTo("fifo");
        // the flood overflows its own tenant queue (429s for the heavy tenant only)
        assertThat(fair.perTenant().get("light-1").failed()).isZero();
        // the engine saturates, so requests queue in admission; fair queueing serves the light tenants first
        double fairLight = fair.perTenant().get("light-1").ttftMs().p50();
        assertThat(fairLight).isLessThan(fifo.perTenant().get("light-1").ttftMs().p50() / 2);
        assertThat(fair.perTenant().get("heavy").ttftMs().p50()).as("the flooding tenant waits longest")
                .isGreaterThan(fairLight);
    }

    @Test
    void withABoundedBatchAFloodCostsLightTenantsAtMostAQuarterOfTheirTtft() {
        // the admission target: light tenants' TTFT p90 under a flood within 1.25x of theirs without it
        DesConfig bounded = DesConfig.of(ClusterSpec.parse("1xH100"))
                .withAdmissionConfig(AdmissionConfig.defaults().withHeadroom(AdmissionConfig.DEFAULT_HEADROOM_PREFILL_TOKENS, 64));
        RunReport quiet = new DesSimulation(bounded).run(heavyTenant("1"), DEFAULT).report();
        RunReport flood = new DesSimulation(bounded).run(heavyTenant("8"), DEFAULT).report();

        assertThat(flood.perTenant().get("heavy").failed()).as("the flood really overflows").isPositive();
        for (String light : List.of("light-1", "light-2", "light-3", "light-4")) {
            double without = quiet.perTenant().get(light).ttftMs().p90();
            assertThat(flood.perTenant().get(light).ttftMs().p90()).as(light).isLessThanOrEqualTo(1.25 * without);
            assertThat(flood.perTenant().get(light).failed()).isZero();
        }
    }

    private static PreparedWorkload heavyTenant(String heavyFactor) {
        Workload w = HeavyTenantWorkload.preset(new GeneratorParams("heavy-tenant",
                Map.of("duration", "120s", "rate", "3", "heavy-factor", heavyFactor)), 1).generate("heavy-tenant");
        return PreparedWorkload.prepare(w, "llama-3-8b", 4, new SyntheticText());
    }

    @Test
    void backloggedTenantsGetServiceInProportionToTheirWeights() throws Exception {
        // three tenants all over their share of one H100; the heavy one weighs 2 and asks for 4x a light one
        Workload w = HeavyTenantWorkload.preset(new GeneratorParams("heavy-tenant", Map.of("duration", "60s", "rate", "15",
                "heavy-factor", "4", "light-tenants", "2")), 1).generate("heavy-tenant");
        PreparedWorkload prepared = PreparedWorkload.prepare(w, "llama-3-8b", 4, new SyntheticText());
        TenantsConfig weights = TenantsConfig.parse(new String(getClass().getResourceAsStream(
                "/tenants/weighted-heavy-tenant.yaml").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        DesConfig base = DesConfig.of(ClusterSpec.parse("1xH100"));
        RunReport fair = new DesSimulation(base.withAdmission(Admission.FAIR, weights)).run(prepared, DEFAULT).report();
        RunReport fifo = new DesSimulation(base.withAdmission(Admission.FIFO, weights)).run(prepared, DEFAULT).report();

        // Jain over service / weight among backlogged tenants: fair queueing follows the weights, FIFO the demand
        assertThat(fair.fairnessIndex()).isGreaterThanOrEqualTo(0.95);
        assertThat(fifo.fairnessIndex()).isLessThan(fair.fairnessIndex() - 0.05);
        double heavy = fair.perTenant().get("heavy").outputTokensPerS();
        double light = fair.perTenant().get("light-1").outputTokensPerS();
        assertThat(heavy / light).as("weight 2 against 1").isBetween(1.6, 2.4);
    }

    @Test
    void rejectsAWorkloadHashedForAnotherModel() {
        PreparedWorkload w = sharedPrefix(1, 1, 4);
        DesSimulation qwen = new DesSimulation(DesConfig.of(ClusterSpec.parse("1xH100:qwen2.5-7b")));
        assertThatThrownBy(() -> qwen.run(w, DEFAULT)).hasMessageContaining("hashed for model 'llama-3-8b'");
    }

    private static RunReport withoutWallTime(RunReport r) {
        RunReport.Simulation s = r.simulation();
        return new RunReport(r.mode(), r.target(), r.model(), r.workload(), r.policy(), r.admission(), r.rateScale(), r.speed(),
                r.requests(), r.failed(), r.notSent(), r.errors(), r.durationS(), r.ttftMs(), r.itlMs(), r.e2eMs(),
                r.sendLagMs(), r.outputTokens(), r.outputTokensPerS(), r.requestsPerS(), r.goodputRps(), r.slo(),
                r.prefixHitPredicted(), r.prefixHitActual(), r.fairnessIndex(), r.perTenant(), r.sloMet(),
                new RunReport.Simulation(s.engines(), 0, s.virtualS(), s.steps(), s.preemptions(), s.decisionsUnified(),
                        s.decisionsDisaggregated(), s.kvEvents(), s.aborted()));
    }
}
