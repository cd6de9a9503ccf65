package dev.switchboard.scheduler.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.contract.wire.CandidateScore;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.SchedulerProperties;
import dev.switchboard.scheduler.admission.AdmissionController;
import dev.switchboard.scheduler.admission.QueuedRequest;
import dev.switchboard.scheduler.admission.Verdict;
import dev.switchboard.scheduler.datalayer.EndpointReports;
import dev.switchboard.scheduler.datalayer.EngineDirectory;
import dev.switchboard.scheduler.datalayer.LeaseRegistry;
import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.datalayer.SessionTable;
import dev.switchboard.scheduler.engine.CycleResult;
import dev.switchboard.scheduler.engine.DecisionEngine;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.ProfileRun;
import dev.switchboard.scheduler.framework.ScoredEndpoint;
import dev.switchboard.scheduler.observability.TenantGauges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs the policy's scheduling cycle for each request against the freshest snapshot, opens a
 * lease on the pick, teaches the prefix index what the chosen engines will cache, and closes leases
 * when the gateway reports completion (comparing predicted with engine-reported cached tokens).
 */
@Service
public class SchedulerService {
    private static final Logger log = LoggerFactory.getLogger(SchedulerService.class);
    /** Candidates kept per profile run in explanations and the decision history. */
    private static final int EXPLAINED_CANDIDATES = 8;

    private final EngineDirectory directory;
    private final EndpointReports reports;
    private final PrefixIndex prefixIndex;
    private final PolicyStore policies;
    private final SchedulerProperties properties;
    private final DecisionEngine engine;
    private final AdmissionController admission;
    private final Map<QueuedRequest, Waiter> waiters = new HashMap<>();
    private final MeterRegistry meters;
    private final Timer decisionTimer;
    private final TenantGauges tenantGauges;
    private final Counter unknownLeases;
    private final Counter predictedCachedTokens;
    private final Counter actualCachedTokens;
    /** Recent decisions with their raw profile runs; explained (sorted, mapped) only when read. */
    private final Deque<Remembered> history = new ArrayDeque<>();
    private final Clock clock;

    /** A request waiting in admission, and how to answer it. */
    private record Waiter(Sinks.One<ScheduleDecision> sink, boolean explain) {
    }

    /** A recent decision as kept: its record without candidates, and the runs to explain on demand. */
    private record Remembered(DecisionRecord record, List<ProfileRun> runs) {
    }

    /** One recent decision, for {@code GET /admin/decisions}. */
    public record DecisionRecord(long atMillis, String requestId, String model, String tenant, int promptTokens,
            String decode, String prefill, int predictedCachedTokens, String reason, List<CandidateScore> candidates) {
    }

    public SchedulerService(EngineDirectory directory, EndpointReports reports, PrefixIndex prefixIndex, PolicyStore policies,
            SchedulerProperties properties, Clock clock, MeterRegistry meters) {
        this.directory = directory;
        this.reports = reports;
        this.prefixIndex = prefixIndex;
        this.policies = policies;
        this.properties = properties;
        this.clock = clock;
        this.admission = new AdmissionController(properties.admission(), clock);
        this.engine = new DecisionEngine(prefixIndex,
                new LeaseRegistry(clock, properties.leaseTimeout(), properties.prefillTokensPerSecond()),
                new SessionTable(properties.sessionCapacity()), properties.blockTokens());
        this.meters = meters;
        this.decisionTimer = Timer.builder("switchboard_scheduler_decision_seconds")
                .description("Time to run one scheduling cycle and open its lease")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofMillis(100)).register(meters);
        this.tenantGauges = new TenantGauges(meters, clock, this::queues);
        this.unknownLeases = Counter.builder("switchboard_scheduler_lease_completions_unknown")
                .description("Lease completions for leases that were already closed or had expired").register(meters);
        this.predictedCachedTokens = Counter.builder("switchboard_scheduler_prefix_predicted_tokens")
                .description("Prompt tokens predicted cached, over completed unified leases with engine-reported usage")
                .register(meters);
        this.actualCachedTokens = Counter.builder("switchboard_scheduler_prefix_actual_tokens")
                .description("Prompt tokens the engines reported cached, over the same leases").register(meters);
        meters.gauge("switchboard_scheduler_open_leases", this, s -> s.openLeases());
        directory.onChange(discovered -> track());
        reports.onDescribe(this::track);
        track();
        reports.onLoad(this::drain);
        meters.gauge("switchboard_scheduler_admission_queued", this, s -> s.queuedTotal());
        meters.gauge("switchboard_scheduler_stale_endpoints", this,
                s -> s.snapshotNow().endpoints().stream().filter(e -> e.stale()).count());
        meters.gauge("switchboard_scheduler_accepting_endpoints", this,
                s -> s.snapshotNow().endpoints().stream().filter(e -> e.accepting()).count());
        meters.gauge("switchboard_scheduler_prefix_index_blocks", prefixIndex, PrefixIndex::totalBlocks);
    }

    /**
     * Admits and places {@code request}: at once when an endpoint has headroom, later (late binding,
     * against the freshest snapshot) when it had to wait; errors with {@link SchedulingRejectedException}
     * when it cannot be placed (unknown model, no engine, over quota, queue full or timed out). A
     * cancelled subscription (the client left) takes a waiting request out of the queue.
     *
     * @param explain include per-candidate scores in the decision
     */
    public Mono<ScheduleDecision> schedule(ScheduleRequest request, boolean explain) {
        Verdict verdict;
        Sinks.One<ScheduleDecision> sink = null;
        // the snapshot is built outside the lock: admission's own bookkeeping is all that needs it; the decision
        // reuses the reported view (the engine overlays the lease state afresh)
        ClusterSnapshot reported = reports.apply(directory.current());
        ClusterSnapshot current = engine.overlay(reported);
        synchronized (this) {
            verdict = admission.offer(request, current);
            if (verdict instanceof Verdict.Queued queued) {
                sink = Sinks.one();
                waiters.put(queued.ticket(), new Waiter(sink, explain));
            }
        }
        countAdmission(request.tenant(), verdict);
        if (verdict instanceof Verdict.Rejected rejected) {
            return Mono.error(new SchedulingRejectedException(rejected.httpStatus(), rejected.error(), rejected.retryAfterSeconds()));
        }
        if (verdict instanceof Verdict.Queued queued) {
            QueuedRequest ticket = queued.ticket();
            return sink.asMono().doOnCancel(() -> leaveQueue(ticket));
        }
        // an HTTP exchange runs the prefix index's lesson after writing the answer (AfterResponse); elsewhere, at once
        return Mono.deferContextual(context -> Mono.fromCallable(() -> decide(request, explain, reported,
                context.<Executor>getOrDefault(AfterResponse.CONTEXT_KEY, Runnable::run))));
    }

    /**
     * Runs the cycle for an admitted request and opens its lease (throws if nowhere to go).
     *
     * @param reported the cluster with adapter reports applied, as admission saw it
     * @param learning  runs the decision's prefix-index lesson
     */
    private ScheduleDecision decide(ScheduleRequest request, boolean explain, ClusterSnapshot reported, Executor learning) {
        long start = System.nanoTime();
        try {
            // the engine makes decision and lease one step (concurrent requests never both see the same idle
            // endpoint) without a global lock, so decisions run in parallel; only admission's books are serial
            DecisionEngine.Outcome outcome = engine.decide(policies.cycle(), request, reported, learning);
            synchronized (this) {
                if (outcome.lease() != null) {
                    admission.dispatched(request);
                } else {
                    admission.release(request);
                }
            }
            CycleResult result = outcome.result();
            LeaseRegistry.Lease lease = outcome.lease();
            if (result instanceof CycleResult.Rejected rejected) {
                meters.counter("switchboard_scheduler_decisions", "mode", "rejected", "endpoint", "none",
                        "status", Integer.toString(rejected.httpStatus())).increment();
                throw new SchedulingRejectedException(rejected.httpStatus(), rejected.error());
            }
            CycleResult.Picked picked = (CycleResult.Picked) result;
            String mode = picked.prefill() == null ? "unified" : "disaggregated";
            meters.counter("switchboard_scheduler_decisions", "mode", mode, "endpoint", picked.decode().endpoint().id(),
                    "status", "200").increment();
            // explaining sorts and maps every candidate: only for callers that asked, or later, for the history
            remember(new Remembered(new DecisionRecord(clock.millis(), request.requestId(), request.model(),
                    request.tenant(), request.promptTokens(), picked.decode().endpoint().id(),
                    picked.prefill() == null ? null : picked.prefill().endpoint().id(), picked.predictedCachedTokens(),
                    picked.reason(), List.of()), picked.runs()));
            return new ScheduleDecision(lease.leaseId(), request.requestId(), picked.decode().endpoint().ref(),
                    picked.prefill() == null ? null : picked.prefill().endpoint().ref(), picked.predictedCachedTokens(),
                    picked.reason(), explain ? explainRuns(picked.runs()) : List.of());
        } finally {
            decisionTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the leases of finished requests and checks cache predictions against engine reports. */
    public void complete(List<LeaseCompletion> completions) {
        for (LeaseCompletion completion : completions) {
            LeaseRegistry.Lease lease;
            synchronized (this) {
                lease = engine.complete(completion.leaseId());
            }
            if (lease == null) {
                unknownLeases.increment();
                continue;
            }
            meters.counter("switchboard_scheduler_lease_completions", "endpoint", lease.endpointId(),
                    "outcome", completion.outcome().name().toLowerCase(Locale.ROOT)).increment();
            long actual = completion.promptTokens() >= 0 && completion.completionTokens() >= 0
                    ? (long) completion.promptTokens() + completion.completionTokens() : -1;
            synchronized (this) {
                admission.completed(lease.requestId(), actual, completion.outcome() == LeaseCompletion.Outcome.SUCCESS);
            }
            // a disaggregated request's decode engine reports the transferred KV as cached (prompt - 1), which
            // says nothing about the prediction (made for the prefill side): compare unified requests only
            if (completion.cachedTokens() >= 0 && completion.outcome() == LeaseCompletion.Outcome.SUCCESS
                    && lease.prefillEndpointId() == null) {
                predictedCachedTokens.increment(lease.predictedCachedTokens());
                actualCachedTokens.increment(completion.cachedTokens());
            }
        }
        drain();
    }

    /**
     * Releases waiting requests while an endpoint has headroom, each scheduled against the freshest
     * snapshot; answers requests that waited too long with 429. Called when leases complete, when load
     * reports arrive and on a short tick.
     */
    @Scheduled(fixedDelayString = "${switchboard.scheduler.admission-tick:20ms}")
    public void drain() {
        List<Runnable> answers = new ArrayList<>();
        synchronized (this) {
            for (QueuedRequest expired : admission.expire()) {
                Waiter waiter = waiters.remove(expired);
                if (waiter != null) {
                    Verdict.Rejected r = admission.timeoutRejection();
                    countAdmission(expired.tenant(), r);
                    answers.add(() -> waiter.sink().tryEmitError(
                            new SchedulingRejectedException(r.httpStatus(), r.error(), r.retryAfterSeconds())));
                }
            }
            while (true) {
                ClusterSnapshot reported = reports.apply(directory.current());
                QueuedRequest next = admission.next(engine.overlay(reported));
                if (next == null) {
                    break;
                }
                Waiter waiter = waiters.remove(next);
                if (waiter == null) {
                    admission.release(next.request());
                    continue;
                }
                meters.timer("switchboard_scheduler_admission_wait_seconds", "tenant", next.tenant())
                        .record(clock.millis() - next.enqueuedAtMillis(), TimeUnit.MILLISECONDS);
                ScheduleRequest request = next.request();
                try {
                    ScheduleDecision decision = decide(request, waiter.explain(), reported, Runnable::run);
                    answers.add(() -> waiter.sink().tryEmitValue(decision));
                } catch (SchedulingRejectedException e) {
                    answers.add(() -> waiter.sink().tryEmitError(e));
                }
            }
        }
        answers.forEach(Runnable::run);
    }

    private synchronized void leaveQueue(QueuedRequest ticket) {
        if (waiters.remove(ticket) != null && admission.cancel(ticket)) {
            meters.counter("switchboard_scheduler_admission", "tenant", ticket.tenant(), "result", "cancelled",
                    "reason", "client_left").increment();
        }
    }

    private void countAdmission(String tenant, Verdict verdict) {
        String result;
        String reason;
        if (verdict instanceof Verdict.Rejected r) {
            result = "rejected";
            reason = r.error().code();
        } else if (verdict instanceof Verdict.Queued) {
            result = "queued";
            reason = "saturated";
        } else {
            result = "admitted";
            reason = "headroom";
        }
        meters.counter("switchboard_scheduler_admission", "tenant", tenant, "result", result, "reason", reason).increment();
        tenantGauges.register(tenant);
    }

    /** Installs new tenants (weights, priorities, quotas, queue bounds) for admission. */
    public synchronized void tenants(TenantsConfig tenants) {
        admission.tenants(tenants);
    }

    public synchronized TenantsConfig tenants() {
        return admission.tenants();
    }

    /** Per-tenant queue, fairness counter and quota state. */
    public synchronized List<AdmissionController.TenantQueue> queues() {
        return admission.queues();
    }

    public synchronized int queuedTotal() {
        return admission.queuedTotal();
    }

    /**
     * The prefix index tracks exactly the discovered endpoints, each sized by its KV capacity as discovery
     * or, where discovery lacks it (static instances), its adapter reports it.
     */
    private synchronized void track() {
        engine.track(reports.apply(directory.current()));
    }

    /** The snapshot a decision made now would see. */
    public synchronized ClusterSnapshot snapshotNow() {
        return engine.overlay(reports.apply(directory.current()));
    }

    public synchronized int openLeases() {
        return engine.openLeases();
    }

    /** The most recent decisions, newest first. */
    public List<DecisionRecord> recentDecisions(int limit) {
        synchronized (history) {
            List<DecisionRecord> newestFirst = new ArrayList<>(Math.min(limit, history.size()));
            var it = history.descendingIterator();
            while (it.hasNext() && newestFirst.size() < limit) {
                Remembered r = it.next();
                DecisionRecord d = r.record();
                newestFirst.add(new DecisionRecord(d.atMillis(), d.requestId(), d.model(), d.tenant(), d.promptTokens(),
                        d.decode(), d.prefill(), d.predictedCachedTokens(), d.reason(), explainRuns(r.runs())));
            }
            return newestFirst;
        }
    }

    @Scheduled(fixedDelayString = "${switchboard.scheduler.lease-sweep:10s}")
    void expireLeases() {
        List<LeaseRegistry.Lease> expired;
        synchronized (this) {
            expired = engine.expireLeases();
            // admission counts them in flight (fair shares) until it hears they are gone
            expired.forEach(lease -> admission.completed(lease.requestId(), -1, false));
        }
        if (!expired.isEmpty()) {
            log.warn("expired {} leases that were never completed (a gateway may have crashed)", expired.size());
            meters.counter("switchboard_scheduler_leases_expired").increment(expired.size());
        }
    }

    private void remember(Remembered record) {
        if (properties.decisionHistory() == 0) {
            return;
        }
        synchronized (history) {
            if (history.size() >= properties.decisionHistory()) {
                history.removeFirst();
            }
            history.addLast(record);
        }
    }

    private static List<CandidateScore> explainRuns(List<ProfileRun> runs) {
        List<CandidateScore> out = new ArrayList<>();
        for (ProfileRun run : runs) {
            run.scored().stream()
                    .sorted((a, b) -> Double.compare(b.total(), a.total()))
                    .limit(EXPLAINED_CANDIDATES)
                    .forEach(s -> out.add(candidate(run, s)));
        }
        return out;
    }

    private static CandidateScore candidate(ProfileRun run, ScoredEndpoint s) {
        return new CandidateScore(s.endpoint().id(), run.profile(), s.total(), s.byScorer(),
                run.picked() != null && run.picked().endpoint().id().equals(s.endpoint().id()));
    }
}
