package dev.switchboard.scheduler.plugins;

import static dev.switchboard.scheduler.Endpoints.context;
import static dev.switchboard.scheduler.Endpoints.endpoint;
import static dev.switchboard.scheduler.Endpoints.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.PrefixMatches;
import dev.switchboard.scheduler.plugins.kvscorer.KvUtilizationScorer;
import dev.switchboard.scheduler.plugins.leastrequest.LeastRequestScorer;
import dev.switchboard.scheduler.plugins.localityscorer.LocalityScorer;
import dev.switchboard.scheduler.plugins.prefixscorer.PrefixCacheScorer;
import dev.switchboard.scheduler.plugins.queuescorer.QueueDepthScorer;
import dev.switchboard.scheduler.plugins.runningscorer.RunningRequestsScorer;
import dev.switchboard.scheduler.plugins.sessionscorer.SessionAffinityScorer;
import dev.switchboard.scheduler.plugins.ttftscorer.PredictedTtftScorer;

/** Table-driven tests of every built-in scorer: (scorer, endpoints, prefix matches) -> scores. */
class ScorersTest {
    private static final PrefixCacheScorer PREFIX = new PrefixCacheScorer("prefix", new PrefixCacheScorer.Params(3, 0.9, 1));
    private static final PredictedTtftScorer TTFT = new PredictedTtftScorer("ttft", new PredictedTtftScorer.Params(10_000.0, 0.0));

    /** Prefix matches from a map of endpoint id -> matched blocks. */
    private static PrefixMatches matches(Map<String, Integer> blocks) {
        return id -> blocks.getOrDefault(id, 0);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("prefix: fraction of the prompt cached", PREFIX, 160,
                        List.of(endpoint("full").build(), endpoint("half").build(), endpoint("none").build()),
                        matches(Map.of("full", 10, "half", 5)), new double[] {1.0, 0.5, 0.0}),
                Arguments.of("prefix: a few cached tokens of a short prompt count for little",
                        new PrefixCacheScorer("p", new PrefixCacheScorer.Params(null, null, null)), 20,
                        List.of(endpoint("a").build()), matches(Map.of("a", 1)), new double[] {16.0 / 256}),
                Arguments.of("prefix: a saturated queue stops cache affinity", PREFIX, 160,
                        List.of(endpoint("busy").load(8, 3, 0.5).build(), endpoint("calm").load(8, 2, 0.5).build()),
                        matches(Map.of("busy", 10, "calm", 10)), new double[] {0.0, 1.0}),
                Arguments.of("prefix: a full KV cache stops cache affinity", PREFIX, 160,
                        List.of(endpoint("full-kv").load(1, 0, 0.95).build()), matches(Map.of("full-kv", 10)), new double[] {0.0}),
                Arguments.of("kv: one minus usage", new KvUtilizationScorer("kv"), 10,
                        List.of(endpoint("a").load(0, 0, 0.25).build(), endpoint("b").build()), PrefixMatches.NONE,
                        new double[] {0.75, 1.0}),
                Arguments.of("queue: min-max over waiting", new QueueDepthScorer("queue"), 10,
                        List.of(endpoint("a").load(0, 0, 0).build(), endpoint("b").load(0, 5, 0).build(),
                                endpoint("c").load(0, 10, 0).build()), PrefixMatches.NONE, new double[] {1.0, 0.5, 0.0}),
                Arguments.of("queue: all equal scores 1", new QueueDepthScorer("queue"), 10,
                        List.of(endpoint("a").load(0, 2, 0).build(), endpoint("b").load(0, 2, 0).build()), PrefixMatches.NONE,
                        new double[] {1.0, 1.0}),
                Arguments.of("running: min-max over the running batch", new RunningRequestsScorer("running"), 10,
                        List.of(endpoint("a").load(4, 0, 0).build(), endpoint("b").load(0, 0, 0).build()), PrefixMatches.NONE,
                        new double[] {0.0, 1.0}),
                Arguments.of("least-request: min-max over open leases", new LeastRequestScorer("lr"), 10,
                        List.of(endpoint("a").outstanding(2).build(), endpoint("b").outstanding(6).build()), PrefixMatches.NONE,
                        new double[] {1.0, 0.0}),
                // ttft = (backlog + uncached) / 10k tok/s: a = 1000 / 10k, b = (0 + 2000) / 10k, c = (3000 + 0) / 10k
                Arguments.of("ttft: backlog and cache priced in seconds", TTFT, 2000,
                        List.of(endpoint("a").backlog(0).build(), endpoint("b").build(), endpoint("c").backlog(3000).build()),
                        matches(Map.of("a", 1000 / 16 + 1, "c", 125)), new double[] {1.0, 992.0 / 2000, 992.0 / 3000}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scoresAsExpected(String name, EndpointScorer scorer, int promptTokens, List<EndpointView> endpoints,
            PrefixMatches prefix, double[] expected) {
        double[] scores = scorer.score(context(request("llama-3-8b", promptTokens), endpoints, prefix), endpoints);
        assertThat(scores).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(scores[i]).as("%s", endpoints.get(i).id()).isCloseTo(expected[i], within(1e-9));
        }
    }

    @Test
    void sessionAffinityFavoursTheLastEndpointOfTheSession() {
        List<EndpointView> endpoints = List.of(endpoint("a").build(), endpoint("b").build());
        CycleContext ctx = new CycleContext(request("llama-3-8b", 10), new dev.switchboard.scheduler.framework.ClusterSnapshot(1,
                endpoints), PrefixMatches.NONE, 16, 1, "b", null);
        assertThat(new SessionAffinityScorer("s").score(ctx, endpoints)).containsExactly(0.0, 1.0);
    }

    @Test
    void localityScoresSameNodeOverSameZoneOverElsewhere() {
        EndpointView decode = endpoint("d").node("n1").zone("z1").build();
        List<EndpointView> prefills = List.of(endpoint("p-node").node("n1").zone("z1").build(),
                endpoint("p-zone").node("n2").zone("z1").build(), endpoint("p-far").node("n3").zone("z2").build());
        CycleContext ctx = context(request("llama-3-8b", 10), prefills, PrefixMatches.NONE).withPairedDecode(decode);
        LocalityScorer locality = new LocalityScorer("l", new LocalityScorer.Params(null));
        assertThat(locality.score(ctx, prefills)).containsExactly(1.0, 0.5, 0.0);
        assertThat(locality.score(context(request("llama-3-8b", 10), prefills, PrefixMatches.NONE), prefills))
                .as("outside a prefill stage").containsExactly(0.0, 0.0, 0.0);
    }
}
