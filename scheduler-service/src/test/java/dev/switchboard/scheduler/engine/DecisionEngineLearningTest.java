package dev.switchboard.scheduler.engine;

import static dev.switchboard.scheduler.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.datalayer.LeaseRegistry;
import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.datalayer.SessionTable;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.plugins.BuiltinPlugins;
import dev.switchboard.scheduler.service.PolicyStore;

/** A pick teaches the prefix index what its engine will hold: at once, or later but before the next decision. */
class DecisionEngineLearningTest {
    private final PrefixIndex index = new PrefixIndex();
    private final DecisionEngine engine = new DecisionEngine(index,
            new LeaseRegistry(Clock.systemUTC(), Duration.ofMinutes(10), 30_000), new SessionTable(1000), 16);
    private final SchedulingCycle cycle = new SchedulingCycle(new PolicyLoader(BuiltinPlugins.registry())
            .load(PolicyStore.preset("switchboard-default"), "default"), CycleObserver.NONE);
    private final ClusterSnapshot snapshot;
    private final long[] prompt = IntStream.rangeClosed(1, 64).asLongStream().toArray(); // 64 blocks = 1,024 tokens

    DecisionEngineLearningTest() {
        List<EndpointView> views = IntStream.range(0, 4)
                .mapToObj(i -> endpoint("e" + i).role(EngineRole.UNIFIED).load(0, 0, 0.1).build()).toList();
        snapshot = new ClusterSnapshot(1, views);
        engine.track(snapshot);
    }

    private ScheduleRequest request(String id) {
        return new ScheduleRequest(id, "llama-3-8b", "t", 0, 1024, 16, prompt, null, false, null);
    }

    private String pickedEndpoint(DecisionEngine.Outcome outcome) {
        return ((CycleResult.Picked) outcome.result()).decode().endpoint().id();
    }

    @Test
    void withoutAnExecutorThePickIsLearnedAtOnce() {
        String first = pickedEndpoint(engine.decide(cycle, request("a"), snapshot));
        assertThat(index.matchedBlocks(first, prompt)).isEqualTo(64);
    }

    @Test
    void aDeferredLessonWaitsForItsExecutorOrTheNextDecisionWhicheverComesFirst() {
        List<Runnable> later = new ArrayList<>();
        DecisionEngine.Outcome a = engine.decide(cycle, request("a"), snapshot, later::add);
        String first = pickedEndpoint(a);
        assertThat(later).hasSize(1);
        assertThat(index.matchedBlocks(first, prompt)).as("not learned before the executor runs it").isZero();

        // the next decision applies what is pending first: it predicts the whole prompt cached where it went
        engine.complete(a.lease().leaseId());
        DecisionEngine.Outcome b = engine.decide(cycle, request("b"), snapshot, later::add);
        assertThat(pickedEndpoint(b)).isEqualTo(first);
        assertThat(((CycleResult.Picked) b.result()).predictedCachedTokens()).isEqualTo(64 * 16);

        later.forEach(Runnable::run); // both deferred runs find nothing left to apply, and break nothing
        assertThat(index.matchedBlocks(first, prompt)).isEqualTo(64);
        assertThat(IntStream.range(0, 4).mapToObj(i -> "e" + i).filter(id -> !id.equals(first))
                .mapToInt(id -> index.matchedBlocks(id, prompt))).containsOnly(0);
    }
}
