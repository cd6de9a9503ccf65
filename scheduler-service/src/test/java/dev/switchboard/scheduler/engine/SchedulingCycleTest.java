package dev.switchboard.scheduler.engine;

import static dev.switchboard.scheduler.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.PrefixMatches;
import dev.switchboard.scheduler.plugins.BuiltinPlugins;
import dev.switchboard.scheduler.service.PolicyStore;

/** Whole-policy scenarios on the default policy and baselines. */
class SchedulingCycleTest {
    private final PolicyLoader loader = new PolicyLoader(BuiltinPlugins.registry());

    private SchedulingCycle cycle(String preset) {
        return new SchedulingCycle(loader.load(PolicyStore.preset(preset), preset), CycleObserver.NONE);
    }

    private static ScheduleRequest request(String id, int promptTokens) {
        return new ScheduleRequest(id, "llama-3-8b", "t", 0, promptTokens, 64, null, null, false, null);
    }

    private static CycleResult.Picked pick(SchedulingCycle cycle, ScheduleRequest r, List<EndpointView> endpoints,
            PrefixMatches prefix) {
        CycleResult result = cycle.decide(r, new ClusterSnapshot(1, endpoints), prefix, null, 16);
        assertThat(result).isInstanceOf(CycleResult.Picked.class);
        return (CycleResult.Picked) result;
    }

    @Test
    void cachedPrefixAttractsTheRequestWhileTheEngineHasHeadroom() {
        List<EndpointView> endpoints = List.of(endpoint("cached").role(EngineRole.UNIFIED).load(4, 0, 0.3).outstanding(2).build(),
                endpoint("cold").role(EngineRole.UNIFIED).load(2, 0, 0.1).outstanding(1).build());
        CycleResult.Picked picked = pick(cycle("switchboard-default"), request("r", 4000), endpoints,
                id -> id.equals("cached") ? 240 : 0);
        assertThat(picked.decode().endpoint().id()).isEqualTo("cached");
        assertThat(picked.predictedCachedTokens()).isEqualTo(3840);
        assertThat(picked.prefill()).as("unified endpoints only: no disaggregation").isNull();
    }

    @Test
    void stickyUntilSaturatedAPrefixSharedByEveryRequestDoesNotPullAllTraffic() {
        // every engine has the global system prompt; one is saturated: affinity must yield to load
        List<EndpointView> endpoints = List.of(endpoint("hot").load(40, 6, 0.7).outstanding(46).backlog(20_000).build(),
                endpoint("idle").load(1, 0, 0.1).outstanding(1).build());
        Map<String, Integer> wins = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            wins.merge(pick(cycle("switchboard-default"), request("r" + i, 1000), endpoints,
                    id -> id.equals("hot") ? 60 : 30).decode().endpoint().id(), 1, Integer::sum);
        }
        assertThat(wins).containsOnlyKeys("idle");
    }

    @Test
    void longUncachedPromptsAreDisaggregatedShortOnesAreNot() {
        List<EndpointView> endpoints = List.of(endpoint("d1").role(EngineRole.DECODE).build(),
                endpoint("p1").role(EngineRole.PREFILL).build());
        SchedulingCycle cycle = cycle("switchboard-default");

        CycleResult.Picked longPrompt = pick(cycle, request("long", 3000), endpoints, PrefixMatches.NONE);
        assertThat(longPrompt.decode().endpoint().id()).isEqualTo("d1");
        assertThat(longPrompt.prefill().endpoint().id()).isEqualTo("p1");
        assertThat(longPrompt.reason()).contains("disaggregated");
        assertThat(longPrompt.prefill().endpoint().ref().bootstrapPort()).as("a NIXL engine has none").isZero();

        // an SGLang prefill engine's own bootstrap port travels with the decision to the decode-side adapter
        List<EndpointView> sglang = List.of(endpoint("d1").role(EngineRole.DECODE).bootstrapPort(8998).build(),
                endpoint("p1").role(EngineRole.PREFILL).bootstrapPort(9123).build());
        assertThat(pick(cycle, request("long", 3000), sglang, PrefixMatches.NONE).prefill().endpoint().ref().bootstrapPort())
                .isEqualTo(9123);

        CycleResult.Picked shortPrompt = pick(cycle, request("short", 200), endpoints, PrefixMatches.NONE);
        assertThat(shortPrompt.prefill()).isNull();

        CycleResult.Picked cachedOnDecode = pick(cycle, request("cached", 3000), endpoints, id -> id.equals("d1") ? 170 : 0);
        assertThat(cachedOnDecode.prefill()).as("only 280 tokens left to prefill").isNull();
    }

    @Test
    void prefillPickPrefersTheDecodePicksNode() {
        List<EndpointView> endpoints = List.of(endpoint("d1").role(EngineRole.DECODE).node("n1").zone("z").build(),
                endpoint("p-far").role(EngineRole.PREFILL).node("n9").zone("y").build(),
                endpoint("p-near").role(EngineRole.PREFILL).node("n1").zone("z").build());
        CycleResult.Picked picked = pick(cycle("switchboard-default"), request("r", 4000), endpoints, PrefixMatches.NONE);
        assertThat(picked.prefill().endpoint().id()).isEqualTo("p-near");
    }

    @Test
    void noDecodeCapacityFallsBackToUnifiedWithoutPrefillEndpoints() {
        List<EndpointView> endpoints = List.of(endpoint("d1").role(EngineRole.DECODE).build(),
                endpoint("p1").role(EngineRole.PREFILL).unhealthy().build());
        CycleResult.Picked picked = pick(cycle("switchboard-default"), request("r", 4000), endpoints, PrefixMatches.NONE);
        assertThat(picked.prefill()).isNull();
        assertThat(picked.reason()).contains("no prefill endpoint available");
    }

    @Test
    void rejectsUnknownModelsWith404AndUnavailableOnesWith503() {
        SchedulingCycle cycle = cycle("switchboard-default");
        List<EndpointView> endpoints = List.of(endpoint("d1").role(EngineRole.DECODE).unhealthy().build());
        ScheduleRequest unknown = new ScheduleRequest("r", "gpt-9", "t", 0, 10, 1, null, null, false, null);
        assertThat(cycle.decide(unknown, new ClusterSnapshot(1, endpoints), PrefixMatches.NONE, null, 16))
                .isInstanceOfSatisfying(CycleResult.Rejected.class, r -> assertThat(r.httpStatus()).isEqualTo(404));
        assertThat(cycle.decide(request("r", 10), new ClusterSnapshot(1, endpoints), PrefixMatches.NONE, null, 16))
                .isInstanceOfSatisfying(CycleResult.Rejected.class, r -> {
                    assertThat(r.httpStatus()).isEqualTo(503);
                    assertThat(r.error().code()).isEqualTo("no_engine_available");
                });
    }

    @Test
    void aPromptNoEngineOfItsModelCanHoldIsTheClientsErrorNotAnOutage() {
        SchedulingCycle cycle = cycle("switchboard-default");
        List<EndpointView> endpoints = List.of(endpoint("d1").role(EngineRole.DECODE).maxModelLen(32_768).build(),
                endpoint("p1").role(EngineRole.PREFILL).maxModelLen(32_768).build());
        ScheduleRequest tooLong = new ScheduleRequest("r", "llama-3-8b", "t", 0, 52_500, 4, null, null, false, null);
        assertThat(cycle.decide(tooLong, new ClusterSnapshot(1, endpoints), PrefixMatches.NONE, null, 16))
                .isInstanceOfSatisfying(CycleResult.Rejected.class, r -> {
                    assertThat(r.httpStatus()).isEqualTo(400);
                    assertThat(r.error().code()).isEqualTo("context_length_exceeded");
                    assertThat(r.error().message()).contains("maximum context length is 32768 tokens", "4 output tokens");
                });
        // exactly full still fits
        assertThat(cycle.decide(new ScheduleRequest("r", "llama-3-8b", "t", 0, 32_764, 4, null, null, false, null),
                new ClusterSnapshot(1, endpoints), PrefixMatches.NONE, null, 16)).isInstanceOf(CycleResult.Picked.class);
        // an engine that did not publish its context length may fit it: decided as before
        List<EndpointView> unknown = List.of(endpoint("d1").role(EngineRole.DECODE).maxModelLen(0).build());
        assertThat(cycle.decide(tooLong, new ClusterSnapshot(1, unknown), PrefixMatches.NONE, null, 16))
                .isInstanceOf(CycleResult.Picked.class);
    }

    @Test
    void roundRobinBaselineIgnoresCacheAndLoad() {
        SchedulingCycle cycle = cycle("round-robin");
        List<EndpointView> endpoints = List.of(endpoint("a").load(50, 20, 0.9).build(), endpoint("b").build());
        List<String> picks = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picks.add(pick(cycle, request("r" + i, 100), endpoints, id -> 6).decode().endpoint().id());
        }
        assertThat(picks).containsExactly("a", "b", "a", "b");
    }
}
