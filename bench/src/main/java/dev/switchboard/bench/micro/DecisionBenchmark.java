package dev.switchboard.bench.micro;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;

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
 * decisions per second over all threads (each thread runs its own stream of requests against the
 * shared engine, index and leases, as the service's request threads do; admission is serialised as
 * the service serialises it), and the index's bytes per block (heap delta). Each decision's thread CPU
 * time is reported too: on a shared, oversubscribed machine wall-clock percentiles mostly measure
 * time spent descheduled, CPU time does not.
 */
public final class DecisionBenchmark {

    /** The measured numbers. */
    public record Result(String policy, int endpoints, long indexedBlocks, int decisions, int threads, double p50Micros,
            double p99Micros, double maxMicros, double decisionsPerSecond, double admissionP99Micros, double bytesPerBlock,
            double cpuP50Micros, double cpuP99Micros) {
    }

    /** One thread. */
    public static Result run(String policy, int endpoints, long indexedBlocks, int decisions, long seed) {
        return run(policy, endpoints, indexedBlocks, decisions, seed, 1);
    }

    /** {@code decisions} measured decisions in all, split over {@code threads} threads. */
    public static Result run(String policy, int endpoints, long indexedBlocks, int decisions, long seed, int threads) {
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

        int groups = Math.max(1, prompt / 4);
        int warmup = Math.min(20_000, decisions) / threads;
        int perThread = Math.max(1, decisions / threads);
        List<Histogram[]> histograms = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier measured = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        ThreadMXBean threadCpu = ManagementFactory.getThreadMXBean();
        for (int t = 0; t < threads; t++) {
            Histogram decide = new Histogram(3_600_000_000L, 3);
            Histogram admit = new Histogram(3_600_000_000L, 3);
            Histogram cpu = new Histogram(3_600_000_000L, 3);
            histograms.add(new Histogram[] {decide, admit, cpu});
            // one thread draws from the seed's own stream: the same requests as a single-threaded run always had
            SplittableRandom own = threads == 1 ? random : random.split();
            int thread = t;
            Thread worker = new Thread(() -> {
                await(start);
                for (int i = -warmup; i < perThread; i++) {
                    if (i == 0) {
                        await(measured);
                    }
                    int group = own.nextInt(groups);
                    long id = (long) thread * 1_000_000_000L + i;
                    ScheduleRequest request = new ScheduleRequest("r" + id, "llama-3-8b", "t" + (i % 8), 0, 4096, 256,
                            hashes(group, 1_000_000 + id, 256), "", true, List.of());
                    long t0 = System.nanoTime();
                    Verdict verdict;
                    synchronized (admission) {
                        verdict = admission.offer(request, snapshot);
                    }
                    long c1 = threadCpu.getCurrentThreadCpuTime();
                    long t1 = System.nanoTime();
                    DecisionEngine.Outcome outcome = engine.decide(cycle, request, snapshot);
                    long t2 = System.nanoTime();
                    long c2 = threadCpu.getCurrentThreadCpuTime();
                    synchronized (admission) {
                        if (verdict instanceof Verdict.Admit) {
                            admission.dispatched(request);
                        }
                    }
                    if (outcome.lease() != null) {
                        engine.complete(outcome.lease().leaseId()); // keep outstanding counts realistic (short requests)
                        synchronized (admission) {
                            admission.completed(request.requestId(), 4300, true);
                        }
                    }
                    if (i >= 0) {
                        admit.recordValue(t1 - t0);
                        decide.recordValue(t2 - t1);
                        cpu.recordValue(Math.max(0, c2 - c1));
                    }
                }
            }, "decision-" + t);
            worker.start();
            workers.add(worker);
        }
        await(start);
        await(measured);
        long started = System.nanoTime();
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Histogram decide = new Histogram(3_600_000_000L, 3);
        Histogram admit = new Histogram(3_600_000_000L, 3);
        Histogram cpu = new Histogram(3_600_000_000L, 3);
        for (Histogram[] h : histograms) {
            decide.add(h[0]);
            admit.add(h[1]);
            cpu.add(h[2]);
        }
        int total = perThread * threads;
        return new Result(policy, endpoints, index.totalBlocks(), total, threads, decide.getValueAtPercentile(50) / 1e3,
                decide.getValueAtPercentile(99) / 1e3, decide.getMaxValue() / 1e3, total / seconds,
                admit.getValueAtPercentile(99) / 1e3, bytesPerBlock, cpu.getValueAtPercentile(50) / 1e3,
                cpu.getValueAtPercentile(99) / 1e3);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
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
