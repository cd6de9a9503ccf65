package dev.switchboard.scheduler.engine;

import static dev.switchboard.scheduler.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
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

/** Decisions run on several threads without a global lock; the books must still balance. */
class DecisionEngineConcurrencyTest {

    @Test
    void concurrentDecisionsKeepLeaseCountsAndTheIndexConsistent() throws Exception {
        List<EndpointView> views = IntStream.range(0, 8)
                .mapToObj(i -> endpoint("e" + i).role(EngineRole.UNIFIED).load(1, 0, 0.1).build()).toList();
        ClusterSnapshot snapshot = new ClusterSnapshot(1, views);
        PrefixIndex index = new PrefixIndex();
        LeaseRegistry leases = new LeaseRegistry(Clock.systemUTC(), Duration.ofMinutes(10), 30_000);
        DecisionEngine engine = new DecisionEngine(index, leases, new SessionTable(1000), 16);
        engine.track(snapshot);
        SchedulingCycle cycle = new SchedulingCycle(new PolicyLoader(BuiltinPlugins.registry())
                .load(PolicyStore.preset("switchboard-default"), "default"), CycleObserver.NONE);

        int threads = 4;
        int perThread = 2_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        Map<String, AtomicInteger> kept = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long[] hashes = new long[32];
                        for (int b = 0; b < hashes.length; b++) {
                            hashes[b] = (b < 16 ? (i % 5) * 1_000L : (thread * 1_000_000L + i) * 100L) + b + 1;
                        }
                        ScheduleRequest request = new ScheduleRequest("r" + thread + "-" + i, "llama-3-8b", "t", 0, 512, 16,
                                hashes, "s" + (i % 7), false, null);
                        DecisionEngine.Outcome outcome = engine.decide(cycle, request, snapshot);
                        if (outcome.lease() == null) {
                            failures.incrementAndGet();
                        } else if (i % 3 == 0) {
                            kept.computeIfAbsent(outcome.lease().endpointId(), k -> new AtomicInteger()).incrementAndGet();
                        } else {
                            assertThat(engine.complete(outcome.lease().leaseId())).isNotNull();
                        }
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(failures).hasValue(0);
        int open = kept.values().stream().mapToInt(AtomicInteger::get).sum();
        assertThat(engine.openLeases()).isEqualTo(open);
        // what the next decision sees
        for (EndpointView e : engine.overlay(snapshot).endpoints()) {
            assertThat(e.outstanding()).as(e.id()).isEqualTo(kept.getOrDefault(e.id(), new AtomicInteger()).get());
        }
        // every shared prefix is known somewhere, and where it is predicted the engine's set holds it
        for (int g = 0; g < 5; g++) {
            long[] shared = new long[16];
            for (int b = 0; b < 16; b++) {
                shared[b] = g * 1_000L + b + 1;
            }
            var matches = index.matchesFor(shared);
            int best = views.stream().mapToInt(e -> matches.matchedBlocks(e.id())).max().orElse(0);
            assertThat(best).isEqualTo(16);
            for (EndpointView e : views) {
                assertThat(matches.matchedBlocks(e.id())).isEqualTo(index.matchedBlocks(e.id(), shared));
            }
        }
    }
}
