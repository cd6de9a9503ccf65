package dev.switchboard.bench.des;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.switchboard.bench.report.RequestResult;
import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.report.RunStats;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.tenants.Tenant;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.admission.AdmissionController;
import dev.switchboard.scheduler.admission.QueuedRequest;
import dev.switchboard.scheduler.admission.Verdict;
import dev.switchboard.scheduler.datalayer.LeaseRegistry;
import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.datalayer.SessionTable;
import dev.switchboard.scheduler.engine.CycleObserver;
import dev.switchboard.scheduler.engine.CycleResult;
import dev.switchboard.scheduler.engine.DecisionEngine;
import dev.switchboard.scheduler.engine.SchedulingCycle;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.sim.core.CalibratedStepCostModel;
import dev.switchboard.sim.core.CoreEvent;
import dev.switchboard.sim.core.CoreRequest;
import dev.switchboard.sim.core.EngineConfig;
import dev.switchboard.sim.core.EngineCore;
import dev.switchboard.sim.core.EngineStats;
import dev.switchboard.sim.core.FinishReason;
import dev.switchboard.sim.core.GpuProfile;
import dev.switchboard.sim.core.KvEvent;
import dev.switchboard.sim.core.StepResult;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * Discrete-event, virtual-time replay of a workload against simulated engines ({@link EngineCore}s of
 * engine-sim) scheduled by the real scheduler ({@link DecisionEngine} running the policy's
 * {@link SchedulingCycle}, with its prefix index, leases and session table on a {@link VirtualClock}).
 * No HTTP, no threads, no wall clock: the same inputs always give the same numbers.
 *
 * <p>Events, in virtual time (ties: engines in cluster order, then the load report, the admission tick,
 * then arrivals):
 * <ul>
 *   <li><b>arrival</b>: the request is offered to admission ({@link DesConfig#admission()}: the scheduler's
 *       {@link AdmissionController}, which may queue it while every engine is saturated or reject it with
 *       429) and, once admitted, scheduled as the gateway would ask (prompt tokens and block hashes of the
 *       canonical chat text, {@code max_tokens}, tenant, session); a unified decision submits it to the
 *       chosen engine, a disaggregated one submits a prefill leg (one output token) to the prefill engine;
 *       queued requests are released in admission's order whenever a load report or a completion may have
 *       made room, and every 20 ms while requests wait (the service's admission tick: the prefill
 *       backlog that bounds headroom drains with time);</li>
 *   <li><b>step end</b>: an engine with work steps back to back, each step lasting what its cost model
 *       says; the step's tokens are delivered at its end. A finished prefill leg submits the decode leg to
 *       the decode engine as {@code prefilledRemotely} (the core models the KV transfer); the prefill
 *       engine releases the pinned KV when the decode leg's first token is out;</li>
 *   <li><b>load report</b>: every {@link DesConfig#reportInterval()} each engine's {@link EngineStats}
 *       become a {@link LoadReport} in the snapshot later decisions see (running, waiting, KV usage,
 *       recent prefix hit rate, TTFT, inter-token latency and throughput);</li>
 *   <li><b>finish</b>: the lease is completed; TTFT, inter-token gaps (from per-token events) and
 *       end-to-end latency are recorded from the arrival.</li>
 * </ul>
 * Engine-reported prefix hits ({@code cached_tokens}) are those of the engine that computed the prompt
 * (the prefill engine of a disaggregated request), compared with the scheduler's prediction.
 *
 * <p>Requests an engine could never hold fail like on the HTTP path: prompt plus output over
 * {@link DesConfig#maxModelLen()} with {@code 400}, more KV than the engine has with {@code kv_capacity};
 * a scheduler rejection with its status ({@code 503}, {@code 404}).
 */
public final class DesSimulation {
    private static final long NEVER = StepResult.NEVER;
    /** Zero-length idle steps in a row after which an engine is declared stuck (a bug, not a load). */
    private static final int MAX_IDLE_RETRIES = 10_000;
    private static final String PREFILL_SUFFIX = "/prefill";
    /** The one tenant every request is queued as under {@link Admission#FIFO}. */
    private static final String FIFO_TENANT = "fifo";
    /** The scheduler service's {@code admission-tick}: how often it re-checks headroom for queued requests. */
    private static final long ADMISSION_TICK_NANOS = 20_000_000L;

    private final DesConfig config;

    /** Receives progress; called on the replay's thread. */
    public interface Listener {
        /** No-op listener. */
        Listener NONE = new Listener() {
        };

        /** A request finished or failed; {@code done} of {@code total} are. */
        default void completed(int done, int total) {
        }
    }

    public DesSimulation(DesConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The configuration. */
    public DesConfig config() {
        return config;
    }

    /** Replays {@code workload} under {@code policy} to the end. */
    public DesOutcome run(PreparedWorkload workload, PolicySpec policy) {
        return run(workload, policy, Listener.NONE, false);
    }

    /**
     * Replays {@code workload} under {@code policy}.
     *
     * @param listener       progress
     * @param stopWhenMissed stop as soon as so many requests failed or missed the TTFT bound that the
     *                       run's TTFT p90 cannot meet it any more (capacity search: the answer is known)
     */
    public DesOutcome run(PreparedWorkload workload, PolicySpec policy, Listener listener, boolean stopWhenMissed) {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(policy, "policy");
        if (!workload.model().equals(config.model())) {
            throw new IllegalArgumentException("the workload was hashed for model '" + workload.model()
                    + "' but the replay serves '" + config.model() + "'");
        }
        return new Run(workload, policy, listener, stopWhenMissed).execute();
    }

    // ------------------------------------------------------------------ one replay

    /** A simulated engine and the driver state around its core. */
    private static final class Node {
        final String id;
        final EngineCore core;
        final EndpointView discovered;
        /** The step in progress; its events are delivered at its end. */
        StepResult inFlight;
        /** When an idle engine must step again ({@link #NEVER}: only a submit wakes it). */
        long wakeAt = NEVER;
        int idleRetries;
        // since the last load report
        long reportedGeneration;
        long reportedQueries;
        long reportedHits;
        double lastHitRate;
        double ttftSumMillis;
        int ttftCount;
        double itlSumMillis;
        long itlCount;

        Node(String id, EngineCore core, EndpointView discovered) {
            this.id = id;
            this.core = core;
            this.discovered = discovered;
        }

        long nextTime() {
            return inFlight != null ? inFlight.endNanos() : wakeAt;
        }
    }

    /** A request from arrival to its last token. */
    private static final class Flight {
        final DesRequest request;
        /** What the scheduler is asked. */
        final ScheduleRequest scheduled;
        /** What admission is offered (the same, pooled under one tenant for FIFO). */
        final ScheduleRequest admitted;
        /** Admission charged it: it must hear of the completion. */
        boolean dispatched;
        /** When it left admission's queue (or arrived, if it never waited there). */
        long dequeuedAt = -1;
        String leaseId;
        int predictedCached = -1;
        Node decode;
        Node prefill;
        int cachedTokens = -1;
        long firstTokenAt = -1;
        long lastTokenAt;
        int outputTokens;
        int preemptions;
        final LongArrayList gaps = new LongArrayList();

        Flight(DesRequest request, ScheduleRequest scheduled, ScheduleRequest admitted) {
            this.request = request;
            this.scheduled = scheduled;
            this.admitted = admitted;
        }
    }

    /** One engine request: a whole request, its prefill leg or its decode leg. */
    private record Leg(Flight flight, Node node, boolean prefill, long arrivalNanos) {
    }

    private final class Run {
        final PreparedWorkload workload;
        final List<DesRequest> requests;
        final PolicySpec policySpec;
        final Listener listener;
        final boolean stopWhenMissed;
        final VirtualClock clock = new VirtualClock();
        final SchedulingCycle cycle;
        final DecisionEngine scheduler;
        final Node[] nodes;
        final Map<String, Node> byId = new HashMap<>();
        final Map<String, Leg> legs = new HashMap<>();
        final Flight[] flights;
        final Map<Integer, String> errors = new HashMap<>();
        final RunStats stats;
        final long allowedLate;
        /** {@code null} without an admission stage. */
        final AdmissionController admission;
        final Map<QueuedRequest, Flight> queued = new HashMap<>();
        boolean draining;
        ClusterSnapshot reported;
        long snapshotVersion;
        int nextArrival;
        long nextReport;
        int done;
        long lastEventNanos;
        long unified;
        long disaggregated;
        long prefillLegs;
        boolean aborted;

        Run(PreparedWorkload workload, PolicySpec policySpec, Listener listener, boolean stopWhenMissed) {
            this.workload = workload;
            this.requests = workload.requests();
            this.policySpec = policySpec;
            this.listener = listener;
            this.stopWhenMissed = stopWhenMissed;
            this.flights = new Flight[requests.size()];
            this.stats = new RunStats(1, config.slo().ttft(), config.slo().itl())
                    .weights(tenant -> config.tenants().byId(tenant).map(Tenant::weight).orElse(1.0));
            this.allowedLate = RunStats.allowedLate(requests.size());
            this.nodes = buildNodes();
            ClusterSnapshot discovered = new ClusterSnapshot(0, java.util.Arrays.stream(nodes).map(n -> n.discovered).toList());
            this.reported = discovered;
            this.cycle = new SchedulingCycle(policySpec.compile(), CycleObserver.NONE);
            this.scheduler = new DecisionEngine(new PrefixIndex(),
                    new LeaseRegistry(clock, config.leaseTimeout(), config.prefillTokensPerSecond()),
                    new SessionTable(100_000), DesConfig.BLOCK_TOKENS);
            scheduler.track(discovered);
            this.admission = admissionController();
        }

        private AdmissionController admissionController() {
            if (config.admission() == Admission.NONE) {
                return null;
            }
            AdmissionController controller = new AdmissionController(config.admissionConfig(), clock);
            if (config.admission() == Admission.FAIR) {
                controller.tenants(config.tenants());
            } else {
                // one queue for everyone, as deep as the per-tenant queues of fair admission together
                long tenants = requests.stream().map(DesRequest::tenant).distinct().count();
                int depth = (int) Math.min(Integer.MAX_VALUE, Math.max(1, tenants) * config.admissionConfig().defaultMaxQueued());
                controller.tenants(TenantsConfig.of(List.of(new Tenant(FIFO_TENANT, List.of(), 1, 0, 0, depth))));
            }
            return controller;
        }

        private Node[] buildNodes() {
            List<Node> out = new ArrayList<>();
            Map<EngineRole, Integer> perRole = new HashMap<>();
            for (ClusterSpec.Group g : config.cluster().groups()) {
                GpuProfile profile = g.gpu().profile(g.model());
                EngineConfig engineConfig = EngineConfig.builder(profile).role(g.role()).build();
                CalibratedStepCostModel cost = new CalibratedStepCostModel(profile);
                for (int i = 0; i < g.count(); i++) {
                    int n = perRole.merge(g.role(), 1, Integer::sum);
                    String id = g.role().wireName() + "-" + n;
                    int port = 20_000 + out.size();
                    EngineDescriptor descriptor = new EngineDescriptor(id, g.role(), EngineKind.VLLM, g.model(), List.of(),
                            URI.create("http://127.0.0.1:" + port), g.gpu().descriptorName(), 1, g.gpu().memoryGib(),
                            engineConfig.blockSize(), engineConfig.kvCapacityTokens(), cost.kvBytesPerToken(),
                            config.maxModelLen(), config.cluster().disaggregated() ? PdTransferKind.NIXL : PdTransferKind.NONE,
                            0, "", "").validate();
                    Node node = new Node(id, new EngineCore(engineConfig, cost),
                            EndpointView.discovered(descriptor, "127.0.0.1", port));
                    out.add(node);
                    byId.put(id, node);
                }
            }
            return out.toArray(new Node[0]);
        }

        DesOutcome execute() {
            long wallStart = System.nanoTime();
            long interval = config.reportInterval().toNanos();
            while (!aborted) {
                Node node = null;
                long tEngine = NEVER;
                for (Node n : nodes) {
                    long t = n.nextTime();
                    if (t < tEngine) {
                        tEngine = t;
                        node = n;
                    }
                }
                long tArrival = nextArrival < requests.size() ? requests.get(nextArrival).arrivalNanos() : NEVER;
                boolean waiting = admission != null && admission.queuedTotal() > 0;
                if (node == null && tArrival == NEVER && !waiting) {
                    break; // nothing can happen any more (queued requests wait for load reports)
                }
                // the service's admission tick: headroom budgets drain with time, not only on events
                long tTick = waiting ? (clock.nanos() / ADMISSION_TICK_NANOS + 1) * ADMISSION_TICK_NANOS : NEVER;
                long t = Math.min(Math.min(Math.min(tEngine, tArrival), nextReport), tTick);
                clock.set(t);
                if (tEngine == t) {
                    advance(node, t);
                } else if (nextReport == t) {
                    report(t);
                    nextReport += interval;
                } else if (tTick == t) {
                    drain(t);
                } else {
                    arrive(requests.get(nextArrival++), t);
                }
            }
            int unfinished = 0;
            if (!aborted) {
                for (Flight f : flights) {
                    if (f != null && f.leaseId != null) {
                        // every engine idle forever with requests inside: report them instead of hanging
                        unfinished++;
                        fail(f, "stalled", lastEventNanos);
                    }
                }
            } else {
                unfinished = (int) (requests.size() - stats.requests());
            }
            long steps = 0;
            long preemptions = 0;
            for (Node n : nodes) {
                EngineStats s = n.core.stats();
                steps += s.steps();
                preemptions += s.preemptions();
            }
            double wallS = (System.nanoTime() - wallStart) / 1e9;
            RunReport.Simulation sim = new RunReport.Simulation(nodes.length, round(wallS), round(lastEventNanos / 1e9), steps,
                    preemptions, unified, disaggregated, config.kvEvents(), aborted);
            RunReport report = stats.report(new RunStats.Labels("des", config.cluster().text(), config.model(), workload.name(),
                    policySpec.name(), config.admission().cliName(), workload.baseRateScale()), aborted ? unfinished : 0,
                    lastEventNanos, sim);
            return new DesOutcome(report, records(), stats.ttftMicros(), prefillLegs);
        }

        // ---------------------------------------------------------------- events

        /** The engine's step in progress ends (or an idle engine wakes) at {@code t}: deliver, then step again. */
        private void advance(Node n, long t) {
            if (n.inFlight != null) {
                StepResult finished = n.inFlight;
                n.inFlight = null;
                n.wakeAt = NEVER;
                deliver(n, finished, t);
            } else {
                n.wakeAt = NEVER;
            }
            StepResult r = n.core.step(t);
            if (r.idle()) {
                n.wakeAt = r.nextWakeNanos();
                deliver(n, r, t); // an idle step can still carry events (aborts, cache resets)
                if (n.wakeAt <= t && ++n.idleRetries > MAX_IDLE_RETRIES) {
                    throw new IllegalStateException("engine " + n.id + " made no progress at " + t + " ns: " + n.core.stats());
                }
            } else {
                n.idleRetries = 0;
                n.inFlight = r;
            }
        }

        private void deliver(Node n, StepResult r, long t) {
            lastEventNanos = Math.max(lastEventNanos, t);
            for (CoreEvent e : r.events()) {
                Leg leg = legs.get(e.requestId());
                if (leg == null) {
                    continue;
                }
                Flight f = leg.flight();
                if (e instanceof CoreEvent.Token) {
                    long gap = t - f.lastTokenAt;
                    f.gaps.add(gap);
                    f.lastTokenAt = t;
                    f.outputTokens++;
                    n.itlSumMillis += gap / 1e6;
                    n.itlCount++;
                } else if (e instanceof CoreEvent.FirstToken first) {
                    n.ttftSumMillis += (t - leg.arrivalNanos()) / 1e6;
                    n.ttftCount++;
                    if (leg.prefill() || f.prefill == null) {
                        f.cachedTokens = first.cachedTokens(); // the engine that computed the prompt
                    }
                    if (!leg.prefill()) {
                        f.firstTokenAt = t;
                        f.lastTokenAt = t;
                        f.outputTokens = 1;
                        if (f.prefill != null) {
                            // the decode engine holds the KV now: the prefill engine may free it
                            f.prefill.core.releaseKv(f.request.id() + PREFILL_SUFFIX);
                        }
                    }
                } else if (e instanceof CoreEvent.Finished fin) {
                    legs.remove(e.requestId());
                    if (!leg.prefill()) {
                        f.preemptions = fin.preemptions();
                        finish(f, fin.reason() == FinishReason.ABORT ? "abort" : null, t);
                    } else if (fin.reason() == FinishReason.ABORT) {
                        finish(f, "abort", t);
                    } else {
                        submitDecodeLeg(f, t);
                    }
                }
            }
            if (config.kvEvents() && !r.kvEvents().isEmpty()) {
                applyKvEvents(n, r.kvEvents());
            }
        }

        // the same mapping as the scheduler's adapter stream consumer: engine-sim hashes text prompts in
        // Switchboard's hash space, so stored / removed hashes apply to the prefix index as they are
        private void applyKvEvents(Node n, List<KvEvent> events) {
            PrefixIndex index = scheduler.prefixIndex();
            for (KvEvent e : events) {
                if (e instanceof KvEvent.BlockStored stored) {
                    index.stored(n.id, toArray(stored.blockHashes()));
                } else if (e instanceof KvEvent.BlockRemoved removed) {
                    index.removed(n.id, toArray(removed.blockHashes()));
                } else if (e instanceof KvEvent.AllBlocksCleared) {
                    index.clear(n.id);
                }
            }
        }

        private void arrive(DesRequest r, long t) {
            // the gateway fills in the tenant's default priority; under FIFO admission everyone is one tenant
            int priority = config.admission() == Admission.FAIR
                    ? config.tenants().byId(r.tenant()).map(Tenant::priority).orElse(0) : 0;
            ScheduleRequest scheduled = new ScheduleRequest(r.id(), config.model(), r.tenant(), priority, r.promptTokens(),
                    r.outputTokens(), r.blockHashes(), r.sessionId(), true, List.of());
            ScheduleRequest admitted = config.admission() == Admission.FIFO
                    ? new ScheduleRequest(r.id(), config.model(), FIFO_TENANT, 0, r.promptTokens(), r.outputTokens(), null,
                            r.sessionId(), true, List.of())
                    : scheduled;
            Flight f = new Flight(r, scheduled, admitted);
            flights[r.index()] = f;
            if (admission != null) {
                Verdict verdict = admission.offer(admitted, scheduler.overlay(reported));
                if (verdict instanceof Verdict.Rejected rejected) {
                    fail(f, String.valueOf(rejected.httpStatus()), t);
                    return;
                }
                if (verdict instanceof Verdict.Queued q) {
                    queued.put(q.ticket(), f);
                    return;
                }
            }
            dispatch(f, t);
        }

        /** Runs the scheduling cycle for an admitted request and submits what it decided. */
        private void dispatch(Flight f, long t) {
            DesRequest r = f.request;
            f.dequeuedAt = t;
            DecisionEngine.Outcome outcome = scheduler.decide(cycle, f.scheduled, reported);
            if (admission != null) {
                if (outcome.lease() != null) {
                    admission.dispatched(f.admitted);
                    f.dispatched = true;
                } else {
                    admission.release(f.admitted);
                }
            }
            if (!(outcome.result() instanceof CycleResult.Picked picked)) {
                fail(f, String.valueOf(((CycleResult.Rejected) outcome.result()).httpStatus()), t);
                return;
            }
            f.leaseId = outcome.lease().leaseId();
            f.predictedCached = picked.predictedCachedTokens();
            f.decode = node(picked.decode().endpoint().id());
            f.prefill = picked.prefill() == null ? null : node(picked.prefill().endpoint().id());
            if (f.prefill == null) {
                unified++;
            } else {
                disaggregated++;
            }
            if ((long) r.promptTokens() + r.outputTokens() > config.maxModelLen()) {
                fail(f, "400", t); // engine-sim answers 400 "maximum context length"
                return;
            }
            if (f.prefill != null) {
                prefillLegs++;
                submit(f, f.prefill, true, CoreRequest.ofBlockHashes(r.id() + PREFILL_SUFFIX, r.blockHashes(),
                        r.promptTokens(), 1, t).withContentKey(r.contentKey()), t);
            } else {
                submit(f, f.decode, false, CoreRequest.ofBlockHashes(r.id(), r.blockHashes(), r.promptTokens(),
                        r.outputTokens(), t).withContentKey(r.contentKey()), t);
            }
        }

        /**
         * Gives queued requests their turn, as the service does after completions and reports: first those
         * that waited past the queue timeout get 429, then requests go while an engine has headroom.
         */
        private void drain(long t) {
            if (admission == null || draining || admission.queuedTotal() == 0) {
                return;
            }
            draining = true; // a dispatch that fails at once completes, which would drain again
            try {
                for (QueuedRequest expired : admission.expire()) {
                    Flight f = queued.remove(expired);
                    if (f != null) {
                        fail(f, String.valueOf(admission.timeoutRejection().httpStatus()), t);
                    }
                }
                QueuedRequest next;
                while ((next = admission.next(scheduler.overlay(reported))) != null) {
                    Flight f = queued.remove(next);
                    if (f == null) {
                        admission.release(next.request());
                        continue;
                    }
                    dispatch(f, t);
                }
            } finally {
                draining = false;
            }
        }

        private void submitDecodeLeg(Flight f, long t) {
            DesRequest r = f.request;
            submit(f, f.decode, false, CoreRequest.ofBlockHashes(r.id(), r.blockHashes(), r.promptTokens(), r.outputTokens(), t)
                    .withContentKey(r.contentKey()).withPrefilledRemotely(true), t);
        }

        private void submit(Flight f, Node n, boolean prefillLeg, CoreRequest request, long t) {
            try {
                n.core.submit(request);
            } catch (IllegalArgumentException e) {
                fail(f, "kv_capacity", t); // more KV than the engine has, even alone
                return;
            }
            legs.put(request.id(), new Leg(f, n, prefillLeg, t));
            if (n.inFlight == null) {
                n.wakeAt = Math.min(n.wakeAt, t);
            }
        }

        private void report(long t) {
            double seconds = config.reportInterval().toNanos() / 1e9;
            List<EndpointView> views = new ArrayList<>(nodes.length);
            for (Node n : nodes) {
                EngineStats s = n.core.stats();
                long queries = s.prefixCacheQueries() - n.reportedQueries;
                if (queries > 0) {
                    n.lastHitRate = Math.min(1, (s.prefixCacheHits() - n.reportedHits) / (double) queries);
                }
                double tokensPerSecond = (s.generationTokens() - n.reportedGeneration) / seconds;
                LoadReport load = new LoadReport(n.id, t / 1_000_000, s.running(), s.waiting(),
                        Math.max(0, Math.min(1, s.kvUsage())), n.lastHitRate,
                        n.ttftCount == 0 ? 0 : n.ttftSumMillis / n.ttftCount, n.itlCount == 0 ? 0 : n.itlSumMillis / n.itlCount,
                        tokensPerSecond, true, false);
                views.add(n.discovered.withReport(load, LifecycleEvent.State.READY, false));
                n.reportedQueries = s.prefixCacheQueries();
                n.reportedHits = s.prefixCacheHits();
                n.reportedGeneration = s.generationTokens();
                n.ttftSumMillis = 0;
                n.ttftCount = 0;
                n.itlSumMillis = 0;
                n.itlCount = 0;
            }
            reported = new ClusterSnapshot(++snapshotVersion, views);
            drain(t);
        }

        // ---------------------------------------------------------------- outcomes

        private void finish(Flight f, String error, long t) {
            if (error != null) {
                fail(f, error, t);
                return;
            }
            scheduler.complete(f.leaseId);
            f.leaseId = null;
            DesRequest r = f.request;
            if (f.dispatched) {
                admission.completed(r.id(), (long) r.promptTokens() + f.outputTokens, true);
            }
            stats.record(new RequestResult(r.tenant(), null, 0, f.firstTokenAt - r.arrivalNanos(), t - r.arrivalNanos(),
                    f.gaps.toLongArray(), f.outputTokens, f.outputTokens, r.promptTokens(), Math.max(0, f.cachedTokens),
                    true, f.predictedCached), null, r.arrivalNanos(), f.dequeuedAt);
            f.gaps.clear();
            f.gaps.trim();
            f.lastTokenAt = t; // e2e end, kept for the record
            completed(t);
            drain(t);
        }

        private void fail(Flight f, String error, long t) {
            if (f.leaseId != null) {
                scheduler.complete(f.leaseId);
                f.leaseId = null;
            }
            if (f.prefill != null) {
                f.prefill.core.releaseKv(f.request.id() + PREFILL_SUFFIX); // no-op unless its KV is still pinned
            }
            if (f.dispatched) {
                admission.completed(f.request.id(), -1, false);
                f.dispatched = false;
            }
            f.lastTokenAt = -1;
            f.firstTokenAt = -1;
            f.outputTokens = 0;
            errors.put(f.request.index(), error);
            stats.record(RequestResult.failed(f.request.tenant(), error, 0, t - f.request.arrivalNanos()), null,
                    f.request.arrivalNanos(), f.dequeuedAt >= 0 ? f.dequeuedAt : t);
            completed(t);
            drain(t);
        }

        private void completed(long t) {
            lastEventNanos = Math.max(lastEventNanos, t);
            done++;
            listener.completed(done, requests.size());
            if (stopWhenMissed && stats.lateOrFailed() > allowedLate) {
                aborted = true;
            }
        }

        private List<DesOutcome.RequestRecord> records() {
            List<DesOutcome.RequestRecord> out = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                DesRequest r = requests.get(i);
                Flight f = flights[i];
                if (f == null) {
                    out.add(new DesOutcome.RequestRecord(i, r.tenant(), null, null, -1, -1, 0, r.promptTokens(), -1, -1, 0,
                            aborted ? "not_run" : null));
                    continue;
                }
                String error = errors.get(i);
                boolean ok = error == null && f.firstTokenAt >= 0 && f.leaseId == null;
                out.add(new DesOutcome.RequestRecord(i, r.tenant(), f.decode == null ? null : f.decode.id,
                        f.prefill == null ? null : f.prefill.id, ok ? f.firstTokenAt - r.arrivalNanos() : -1,
                        ok ? f.lastTokenAt - r.arrivalNanos() : -1, f.outputTokens, r.promptTokens(), f.predictedCached,
                        f.cachedTokens, f.preemptions, error != null ? error : ok ? null : "not_finished"));
            }
            return out;
        }

        private Node node(String id) {
            Node n = byId.get(id);
            if (n == null) {
                throw new IllegalStateException("the scheduler picked unknown endpoint '" + id + "'");
            }
            return n;
        }
    }

    private static long[] toArray(List<Long> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1e3) / 1e3;
    }
}
