package dev.switchboard.bench.micro;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.HdrHistogram.Histogram;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.LoadReport;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.admission.AdmissionConfig;
import dev.switchboard.scheduler.admission.AdmissionController;
import dev.switchboard.scheduler.admission.Verdict;
import dev.switchboard.scheduler.datalayer.LeaseRegistry;
import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.datalayer.SessionTable;
import dev.switchboard.scheduler.engine.CycleObserver;
import dev.switchboard.scheduler.engine.DecisionEngine;
import dev.switchboard.scheduler.engine.PolicyLoader;
import dev.switchboard.scheduler.engine.SchedulingCycle;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.plugins.BuiltinPlugins;
import dev.switchboard.scheduler.service.PolicyStore;

/**
 * Cost of one scheduling decision in the production code path ({@link AdmissionController} offer +
 * {@link DecisionEngine} with a policy preset), on a synthetic fleet: N unified endpoints with load
 * reports, a prefix index pre-filled with M blocks spread over them, and requests of realistic
 * length that share prefixes (so binary searches hit and miss). Reports p50/p99/max per decision,
 * decisions per second on one thread, and the index's bytes per block (heap delta).
 */
public final class DecisionBenchmark {

    /** The measured numbers. */
    public record Result(String policy, int endpoints, long indexedBlocks, int decisions, double p50Micros,
            double p99Micros, double maxMicros, double decisionsPerSecond, double admissionP99Micros, double bytesPerBlock) {
    }

    public static Result run(String policy, int endpoints, long indexedBlocks, int decisions, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<EndpointView> views = new ArrayList<>(endpoints);
        for (int i = 0; i < endpoints; i++) {
            EngineDescriptor d = new EngineDescriptor("e" + i, EngineRole.UNIFIED, EngineKind.VLLM, "llama-3-8b", List.of(),
                    URI.create("http://127.0.0.1:" + (10000 + i)), "H100-80GB", 1, 80, 16, 430_000, 131_072, 32_768,
                    PdTransferKind.NONE, 0, "n" + (i / 8), "z" + (i / 64));
            LoadReport load = new LoadReport("e" + i, 0, random.nextInt(64), random.nextInt(3), random.nextDouble() * 0.8, 0.5,
                    100, 10, 1000, true, false);
            views.add(EndpointView.discovered(d, "127.0.0.1", 10000 + i).withReport(load,
                    dev.switchboard.contract.wire.LifecycleEvent.State.READY, false));
        }
        ClusterSnapshot snapshot = new ClusterSnapshot(1, views);

        System.gc();
        long heapBefore = usedHeap();
        PrefixIndex index = new PrefixIndex();
        for (EndpointView v : views) {
            index.track(v.id(), indexedBlocks / endpoints + 1);
        }
        // fill: prompts of 256 blocks; groups of prompts share their first 128 blocks
        long filled = 0;
        int prompt = 0;
        while (filled < indexedBlocks) {
            index.stored("e" + (prompt % endpoints), hashes(prompt / 4, prompt, 256));
            filled += 256 - (prompt % 4 == 0 ? 0 : 128);
            prompt++;
        }
        System.gc();
        double bytesPerBlock = (usedHeap() - heapBefore) / (double) Math.max(1, index.totalBlocks());

        Clock clock = Clock.systemUTC();
        DecisionEngine engine = new DecisionEngine(index, new LeaseRegistry(clock, Duration.ofMinutes(10), 30_000),
                new SessionTable(100_000), 16);
        SchedulingCycle cycle = new SchedulingCycle(new PolicyLoader(BuiltinPlugins.registry())
                .load(PolicyStore.preset(policy), policy), CycleObserver.NONE);
        AdmissionController admission = new AdmissionController(AdmissionConfig.defaults(), clock);

        Histogram decide = new Histogram(3_600_000_000L, 3);
        Histogram admit = new Histogram(3_600_000_000L, 3);
        int warmup = Math.min(20_000, decisions);
        long started = 0;
        for (int i = -warmup; i < decisions; i++) {
            if (i == 0) {
                started = System.nanoTime();
            }
            int group = random.nextInt(Math.max(1, prompt / 4));
            ScheduleRequest request = new ScheduleRequest("r" + i, "llama-3-8b", "t" + (i % 8), 0, 4096, 256,
                    hashes(group, 1_000_000 + i, 256), "", true, List.of());
            long t0 = System.nanoTime();
            Verdict verdict = admission.offer(request, snapshot);
            long t1 = System.nanoTime();
            DecisionEngine.Outcome outcome = engine.decide(cycle, request, snapshot);
            long t2 = System.nanoTime();
            if (verdict instanceof Verdict.Admit) {
                admission.dispatched(request);
            }
            if (outcome.lease() != null) {
                engine.complete(outcome.lease().leaseId()); // keep outstanding counts realistic (short requests)
                admission.completed(request.requestId(), 4300, true);
            }
            if (i >= 0) {
                admit.recordValue(t1 - t0);
                decide.recordValue(t2 - t1);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Result(policy, endpoints, index.totalBlocks(), decisions, decide.getValueAtPercentile(50) / 1e3,
                decide.getValueAtPercentile(99) / 1e3, decide.getMaxValue() / 1e3, decisions / seconds,
                admit.getValueAtPercentile(99) / 1e3, bytesPerBlock);
    }

    /** Chained-looking hashes: the first half depends on the group (shared prefix), the rest on the prompt. */
    private static long[] hashes(long group, long promptId, int blocks) {
        long[] h = new long[blocks];
        for (int b = 0; b < blocks; b++) {
            long key = b < blocks / 2 ? group * 1_000_003L + b : promptId * 7_919L + b * 31L + 0x5DEECE66DL;
            h[b] = new SplittableRandom(key).nextLong();
        }
        return h;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
