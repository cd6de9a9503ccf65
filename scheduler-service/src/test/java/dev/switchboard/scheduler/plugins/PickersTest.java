package dev.switchboard.scheduler.plugins;

import static dev.switchboard.scheduler.Endpoints.context;
import static dev.switchboard.scheduler.Endpoints.endpoint;
import static dev.switchboard.scheduler.Endpoints.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.PrefixMatches;
import dev.switchboard.scheduler.framework.ScoredEndpoint;
import dev.switchboard.scheduler.plugins.cacheaware.CacheAwarePicker;
import dev.switchboard.scheduler.plugins.maxscore.MaxScorePicker;
import dev.switchboard.scheduler.plugins.poweroftwo.PowerOfTwoPicker;
import dev.switchboard.scheduler.plugins.roundrobin.RoundRobinPicker;
import dev.switchboard.scheduler.plugins.weightedrandom.WeightedRandomPicker;

class PickersTest {

    private static List<ScoredEndpoint> scored(double... totals) {
        List<ScoredEndpoint> list = new java.util.ArrayList<>();
        for (int i = 0; i < totals.length; i++) {
            list.add(ScoredEndpoint.of(endpoint("e" + i).build(), totals[i]));
        }
        return list;
    }

    private static CycleContext ctx(String requestId) {
        ScheduleRequest r = new ScheduleRequest(requestId, "llama-3-8b", "t", 0, 100, 1, null, null, false, null);
        return new CycleContext(r, ClusterSnapshot.EMPTY, PrefixMatches.NONE, 16, requestId.hashCode() * 31L, null, null);
    }

    /** How often each endpoint wins over {@code n} differently seeded cycles. */
    private static Map<String, Integer> wins(dev.switchboard.scheduler.framework.EndpointPicker picker, List<ScoredEndpoint> s, int n) {
        Map<String, Integer> wins = new HashMap<>();
        for (int i = 0; i < n; i++) {
            wins.merge(picker.pick(ctx("r" + i), s).endpoint().id(), 1, Integer::sum);
        }
        return wins;
    }

    @Test
    void maxScorePicksTheBestAndSpreadsTies() {
        MaxScorePicker picker = new MaxScorePicker("max");
        assertThat(wins(picker, scored(0.2, 0.9, 0.5), 50)).containsOnlyKeys("e1");
        assertThat(wins(picker, scored(0.9, 0.2, 0.9), 200)).containsOnlyKeys("e0", "e2")
                .allSatisfy((id, n) -> assertThat(n).isGreaterThan(60));
    }

    @Test
    void maxScoreIsReproduciblePerRequest() {
        MaxScorePicker picker = new MaxScorePicker("max");
        List<ScoredEndpoint> tie = scored(1, 1, 1, 1);
        assertThat(picker.pick(ctx("same"), tie)).isEqualTo(picker.pick(ctx("same"), tie));
    }

    @Test
    void powerOfTwoNeverPicksTheWorstOfSeveral() {
        Map<String, Integer> wins = wins(new PowerOfTwoPicker("p2"), scored(0.1, 0.5, 0.6, 0.9), 400);
        assertThat(wins).doesNotContainKey("e0");
        assertThat(wins.get("e3")).isGreaterThan(wins.get("e1"));
        assertThat(new PowerOfTwoPicker("p2").pick(ctx("x"), scored(0.3)).endpoint().id()).isEqualTo("e0");
    }

    @Test
    void weightedRandomFollowsTheScores() {
        Map<String, Integer> wins = wins(new WeightedRandomPicker("w", new WeightedRandomPicker.Params(0.0)), scored(3, 1, 0), 2000);
        assertThat(wins).doesNotContainKey("e2");
        assertThat(wins.get("e0") / (double) wins.get("e1")).isBetween(2.3, 3.9);
    }

    @Test
    void roundRobinCyclesRegardlessOfScores() {
        RoundRobinPicker rr = new RoundRobinPicker("rr");
        List<ScoredEndpoint> s = scored(0, 1, 0);
        assertThat(List.of(rr.pick(ctx("a"), s), rr.pick(ctx("b"), s), rr.pick(ctx("c"), s), rr.pick(ctx("d"), s)))
                .extracting(x -> x.endpoint().id()).containsExactly("e0", "e1", "e2", "e0");
    }

    @Test
    void cacheAwarePickerFollowsSglangRules() {
        CacheAwarePicker picker = new CacheAwarePicker("ca", new CacheAwarePicker.Params(0.5, 4, 1.0001));
        List<EndpointView> balanced = List.of(endpoint("hit").outstanding(3).load(0, 0, 0.5).build(),
                endpoint("free").outstanding(1).load(0, 0, 0.1).build());
        List<ScoredEndpoint> s = balanced.stream().map(e -> ScoredEndpoint.of(e, 0)).toList();
        // 100-token prompt, 6 blocks = 96 tokens cached on "hit": above the threshold -> cache wins
        assertThat(picker.pick(context(request("llama-3-8b", 100), balanced, id -> id.equals("hit") ? 6 : 0), s)
                .endpoint().id()).isEqualTo("hit");
        // low match -> most free cache
        assertThat(picker.pick(context(request("llama-3-8b", 100), balanced, id -> id.equals("hit") ? 1 : 0), s)
                .endpoint().id()).isEqualTo("free");
        // imbalance beats cache
        List<EndpointView> skewed = List.of(endpoint("hit").outstanding(20).build(), endpoint("idle").outstanding(2).build());
        List<ScoredEndpoint> s2 = skewed.stream().map(e -> ScoredEndpoint.of(e, 0)).toList();
        assertThat(picker.pick(context(request("llama-3-8b", 100), skewed, id -> id.equals("hit") ? 6 : 0), s2)
                .endpoint().id()).isEqualTo("idle");
    }
}
