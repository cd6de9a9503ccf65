package dev.switchboard.scheduler.admission;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.switchboard.contract.tenants.Tenant;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

/**
 * Admission in front of the scheduling cycle: token-weighted fair queueing across tenants, priority
 * bands, backpressure from engine saturation and headroom budgets with late binding, and per-tenant
 * token quotas.
 *
 * <p><b>Fairness</b> (virtual token counters, after Sheng et al., OSDI'24 "Fairness in Serving Large
 * Language Models"): each tenant has a counter that grows by (prompt + output tokens) / weight for
 * every request it gets served, corrected with the engine's real counts at completion. When requests
 * wait, the tenant with the smallest counter goes next, so backlogged tenants receive service in
 * proportion to their weights whatever their request sizes. A tenant that returns from idling is
 * lifted to the smallest counter among waiting tenants (or the last served counter), so idling earns
 * no burst of credit.
 *
 * <p><b>Priority</b>: higher bands go first; fairness applies within a band. <b>No starvation</b>:
 * every {@code agingInterval} a request waits raises its effective band by one, so a request of band
 * b waits behind higher bands for at most (top band - b) x agingInterval before it competes as a
 * top-band request (and then by counter and age).
 *
 * <p><b>Backpressure and late binding</b>: a request goes to the engines at once only while one of its
 * candidate endpoints has <em>headroom</em> (and no request of its model waits here); otherwise it waits
 * here and is released (by {@link #next}), in fair order, when an endpoint has headroom again, to be
 * scheduled against the freshest snapshot. An endpoint has headroom when it is neither
 * <ul>
 *   <li><b>saturated</b>, on the engine's own signals: its waiting queue reaches {@code saturationWaiting}
 *       or its KV usage reaches {@code saturationKvUsage} (endpoints that have not reported yet are never
 *       saturated), nor</li>
 *   <li><b>over a headroom budget</b>, on the scheduler's own bookkeeping, which moves with every
 *       dispatch rather than every load report: the uncached prompt tokens it sent there that the engine
 *       has likely not prefilled yet ({@link EndpointView#prefillBacklogTokens()}, drained at the
 *       configured prefill rate) reach {@code headroomPrefillTokens}, or its open leases reach
 *       {@code headroomRunning}.</li>
 * </ul>
 * Why the budgets: saturation alone says "stop" only once the engine queues, and between two load
 * reports it says nothing at all, so a flood fills the engine's running batch (and its prefill chunks)
 * before fair order matters; a newcomer then waits behind it inside the engine, which serves in arrival
 * order. Keeping at most about one step's worth of prefill (and, optionally, a bounded batch) in the
 * engine keeps the backlog here, where a light tenant's request overtakes a heavy one's. The budgets
 * never block an idle endpoint (a prompt longer than the budget still goes alone). Queue timeout or a
 * full tenant queue: 429.
 *
 * <p><b>Quotas</b>: tokens per minute per tenant as a token bucket (capacity = the per-minute quota,
 * refilled continuously), reserved at admission (prompt + max_tokens, or a default output estimate)
 * and reconciled at completion (unused tokens are refunded). Over quota: 429 with the time until
 * enough tokens are back.
 *
 * <p>Not thread-safe and free of frameworks: the service serialises calls; bench drives it in
 * virtual time through the injected clock.
 */
public final class AdmissionController {
    private static final String ANONYMOUS = "anonymous";

    private final AdmissionConfig config;
    private final Clock clock;
    private TenantsConfig tenants = TenantsConfig.empty();
    private final Map<String, TenantState> states = new LinkedHashMap<>();
    private final Map<String, Charge> charges = new HashMap<>();
    private final Map<String, Integer> queuedByModel = new HashMap<>();
    private long sequence;
    private long inFlightTokens;
    private double lastServedCounter;

    private static final class TenantState {
        final String id;
        double counter;
        double bucket;
        long bucketAtMillis;
        boolean bucketStarted;
        final TreeMap<Integer, ArrayDeque<QueuedRequest>> queues = new TreeMap<>();
        int queued;
        /** Estimated tokens of its requests sent to engines and not completed yet. */
        long inFlightTokens;

        TenantState(String id) {
            this.id = id;
        }
    }

    /** What was reserved and charged for one request, reconciled at completion. */
    private record Charge(String tenant, long quotaReserved, long estimatedTokens, double weight, boolean inFlight) {
        Charge sent() {
            return new Charge(tenant, quotaReserved, estimatedTokens, weight, true);
        }
    }

    /** Per-tenant state for the admin API and metrics. */
    public record TenantQueue(String tenant, double weight, int priority, int queued, long oldestWaitMillis,
            double virtualCounter, long quotaPerMinute, long quotaAvailable) {
    }

    public AdmissionController(AdmissionConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Installs a new tenants config; counters and queues of known tenants are kept. */
    public void tenants(TenantsConfig value) {
        tenants = Objects.requireNonNull(value, "tenants");
    }

    public TenantsConfig tenants() {
        return tenants;
    }

    private Tenant tenant(String id) {
        return tenants.byId(id).orElseGet(() -> new Tenant(id == null ? ANONYMOUS : id, List.of(), 1, 0, 0,
                config.defaultMaxQueued()));
    }

    private TenantState state(String tenantId) {
        return states.computeIfAbsent(tenantId, TenantState::new);
    }

    private long estimatedTokens(ScheduleRequest r) {
        return (long) r.promptTokens() + (r.maxTokens() > 0 ? r.maxTokens() : config.defaultOutputTokens());
    }

    /**
     * Decides what happens to a new request given the cluster as it is now. On {@link Verdict.Admit}
     * the caller schedules it and then calls {@link #dispatched} (or {@link #release} if scheduling
     * failed); on {@link Verdict.Queued} the caller waits for {@link #next} to hand it back.
     */
    public Verdict offer(ScheduleRequest request, ClusterSnapshot snapshot) {
        Tenant tenant = tenant(request.tenant());
        TenantState state = state(tenant.id());
        long cost = estimatedTokens(request);
        if (tenant.hasQuota()) {
            long capacity = tenant.tokensPerMinute();
            if (cost > capacity) {
                return reject(429, "This request needs about " + cost + " tokens, more than tenant '" + tenant.id()
                        + "'s quota of " + capacity + " tokens per minute. Lower max_tokens or the prompt.", "quota_exceeded", 60);
            }
            double available = refill(state, tenant);
            if (available < cost) {
                long wait = (long) Math.ceil((cost - available) * 60.0 / capacity);
                return reject(429, "Tenant '" + tenant.id() + "' is over its token quota (" + capacity
                        + " tokens per minute); retry in " + wait + " s.", "quota_exceeded", Math.max(1, wait));
            }
        }
        List<EndpointView> candidates = candidates(request.model(), snapshot);
        boolean mustWait = !candidates.isEmpty()
                && (queuedByModel.getOrDefault(request.model(), 0) > 0 || candidates.stream().noneMatch(this::hasHeadroom))
                // a tenant within its share allowance, with nothing of its own waiting, goes ahead of the backlog at once
                && !(state.queued == 0 && withinShareAllowance(state, tenant, activeWeight(state))
                        && candidates.stream().anyMatch(e -> !saturated(e)));
        if (mustWait && state.queued >= tenant.maxQueued()) {
            return reject(429, "Tenant '" + tenant.id() + "' already has " + state.queued
                    + " requests waiting for a free engine (its limit); retry shortly.", "queue_full", 1);
        }
        reserve(state, tenant, request, cost);
        if (!mustWait) {
            return new Verdict.Admit();
        }
        if (state.queued == 0) {
            // a tenant returning from idle starts level with the least-served waiting tenant: no burst of credit
            state.counter = Math.max(state.counter, minWaitingCounter());
        }
        // the gateway already filled in the tenant's default priority when the client sent none
        QueuedRequest ticket = new QueuedRequest(request, request.priority(), clock.millis(), sequence++);
        state.queues.computeIfAbsent(ticket.band(), b -> new ArrayDeque<>()).addLast(ticket);
        state.queued++;
        queuedByModel.merge(request.model(), 1, Integer::sum);
        return new Verdict.Queued(ticket);
    }

    /** A scheduled request was sent to an engine: charge its tenant's virtual counter; it is in flight. */
    public void dispatched(ScheduleRequest request) {
        Charge charge = charges.get(request.requestId());
        TenantState state = state(tenant(request.tenant()).id());
        double weight = charge == null ? tenant(request.tenant()).weight() : charge.weight();
        state.counter += estimatedTokens(request) / weight;
        lastServedCounter = state.counter;
        if (charge != null && !charge.inFlight()) {
            charges.put(request.requestId(), charge.sent());
            state(charge.tenant()).inFlightTokens += charge.estimatedTokens();
            inFlightTokens += charge.estimatedTokens();
        }
    }

    /** Scheduling failed after admission (no endpoint): give back the quota reservation. */
    public void release(ScheduleRequest request) {
        Charge charge = charges.remove(request.requestId());
        if (charge != null) {
            refund(charge, charge.quotaReserved());
        }
    }

    /**
     * A served request finished: correct the tenant's counter with the real token count and refund
     * unused quota.
     *
     * @param actualTokens engine-reported prompt + completion tokens, or -1 if unknown
     * @param succeeded    whether the engine served it
     */
    public void completed(String requestId, long actualTokens, boolean succeeded) {
        Charge charge = charges.remove(requestId);
        if (charge == null) {
            return;
        }
        if (charge.inFlight()) {
            state(charge.tenant()).inFlightTokens -= charge.estimatedTokens();
            inFlightTokens -= charge.estimatedTokens();
        }
        if (actualTokens >= 0) {
            state(charge.tenant()).counter += (actualTokens - charge.estimatedTokens()) / charge.weight();
            refund(charge, Math.max(0, charge.quotaReserved() - actualTokens));
        } else if (!succeeded) {
            refund(charge, charge.quotaReserved());
        }
    }

    /**
     * The next waiting request that may go now, in fair order, or {@code null}: among requests whose
     * model has an endpoint with headroom, the highest effective band, then the smallest tenant
     * counter, then the oldest.
     */
    public QueuedRequest next(ClusterSnapshot snapshot) {
        if (queuedByModel.isEmpty()) {
            return null;
        }
        long now = clock.millis();
        Map<String, Boolean> headroom = new HashMap<>();
        TenantState bestState = null;
        QueuedRequest best = null;
        int bestBand = Integer.MIN_VALUE;
        int topBand = Integer.MIN_VALUE;
        for (TenantState s : states.values()) {
            if (s.queued > 0) {
                topBand = Math.max(topBand, s.queues.lastKey());
            }
        }
        for (TenantState s : states.values()) {
            for (ArrayDeque<QueuedRequest> queue : s.queues.values()) {
                QueuedRequest head = queue.peekFirst();
                if (head == null) {
                    continue;
                }
                String model = head.request().model();
                if (!headroom.computeIfAbsent(model, m -> candidates(m, snapshot).stream().anyMatch(this::hasHeadroom))) {
                    continue;
                }
                int band = Math.min(topBand, head.band() + (int) ((now - head.enqueuedAtMillis()) / config.agingInterval().toMillis()));
                if (best == null || band > bestBand || (band == bestBand && before(s, head, bestState, best))) {
                    best = head;
                    bestBand = band;
                    bestState = s;
                }
            }
        }
        if (best != null) {
            remove(bestState, best);
        }
        return best;
    }

    /**
     * Fair order within a band: the smaller counter; on a tie (a tenant back from idle is lifted exactly to
     * the least-served waiting counter) the tenant with fewer requests waiting, so a light tenant's
     * request overtakes a flood's backlog instead of queueing behind its oldest request; then the oldest.
     */
    private static boolean before(TenantState s, QueuedRequest head, TenantState other, QueuedRequest otherHead) {
        if (s.counter != other.counter) {
            return s.counter < other.counter;
        }
        if (s.queued != other.queued) {
            return s.queued < other.queued;
        }
        return head.sequence() < otherHead.sequence();
    }

    /** Removes and returns requests that waited longer than the queue timeout (each gets a 429). */
    public List<QueuedRequest> expire() {
        long cutoff = clock.millis() - config.queueTimeout().toMillis();
        List<QueuedRequest> expired = new ArrayList<>();
        for (TenantState s : states.values()) {
            for (ArrayDeque<QueuedRequest> queue : List.copyOf(s.queues.values())) {
                while (!queue.isEmpty() && queue.peekFirst().enqueuedAtMillis() < cutoff) {
                    QueuedRequest q = queue.peekFirst();
                    remove(s, q);
                    release(q.request());
                    expired.add(q);
                }
            }
        }
        return expired;
    }

    /** The client left while its request waited: drop it and give back its quota. */
    public boolean cancel(QueuedRequest ticket) {
        TenantState s = states.get(ticket.tenant());
        if (s == null) {
            return false;
        }
        ArrayDeque<QueuedRequest> queue = s.queues.get(ticket.band());
        if (queue == null || !queue.contains(ticket)) {
            return false;
        }
        remove(s, ticket);
        release(ticket.request());
        return true;
    }

    /** The 429 a queue timeout gives. */
    public Verdict.Rejected timeoutRejection() {
        return reject(429, "No engine had room for this request within " + config.queueTimeout().toSeconds()
                + " s; retry shortly.", "queue_timeout", 2);
    }

    /** Per-tenant queue, counter and quota state. */
    public List<TenantQueue> queues() {
        long now = clock.millis();
        List<TenantQueue> out = new ArrayList<>();
        for (TenantState s : states.values()) {
            Tenant t = tenant(s.id);
            long oldest = s.queues.values().stream().filter(q -> !q.isEmpty())
                    .mapToLong(q -> now - q.peekFirst().enqueuedAtMillis()).max().orElse(0);
            long available = t.hasQuota() ? (long) refill(s, t) : 0;
            out.add(new TenantQueue(s.id, t.weight(), t.priority(), s.queued, oldest, s.counter, t.tokensPerMinute(), available));
        }
        return out;
    }

    /** Requests waiting, over all tenants. */
    public int queuedTotal() {
        return queuedByModel.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * Whether the endpoint may take another request now: not {@linkplain #saturated saturated} and within
     * both headroom budgets (see the class comment).
     */
    public boolean hasHeadroom(EndpointView e) {
        return !saturated(e) && !overBudget(e);
    }

    /**
     * Whether the engine's own signals (waiting queue, KV usage) say it is saturated. The scheduler's
     * open leases are not a measure of engine queueing: they include requests the engine has already
     * finished whose completion is still on its way.
     */
    public boolean saturated(EndpointView e) {
        if (e.load() == null) {
            return false;
        }
        return e.waiting() >= config.saturationWaiting() || e.kvUsage() >= config.saturationKvUsage();
    }

    /**
     * Whether the work the scheduler itself sent there and the engine has not caught up with reaches a
     * headroom budget. Judged on the scheduler's own counts (they change with each dispatch, between load
     * reports); open leases may include a few requests whose completion is on its way, which at a budget
     * of tens of requests costs a few slots for a few milliseconds.
     */
    public boolean overBudget(EndpointView e) {
        return (config.headroomPrefillTokens() > 0 && e.prefillBacklogTokens() >= config.headroomPrefillTokens())
                || (config.headroomRunning() > 0 && e.outstanding() >= config.headroomRunning());
    }

    private static List<EndpointView> candidates(String model, ClusterSnapshot snapshot) {
        List<EndpointView> out = new ArrayList<>();
        for (EndpointView e : snapshot.endpoints()) {
            if (e.descriptor().serves(model) && e.descriptor().role().servesDecode() && e.accepting()) {
                out.add(e);
            }
        }
        return out;
    }

    private void reserve(TenantState state, Tenant tenant, ScheduleRequest request, long cost) {
        long reserved = 0;
        if (tenant.hasQuota()) {
            state.bucket -= cost;
            reserved = cost;
        }
        charges.put(request.requestId(), new Charge(tenant.id(), reserved, cost, tenant.weight(), false));
    }

    private void refund(Charge charge, long tokens) {
        if (tokens <= 0) {
            return;
        }
        Tenant tenant = tenant(charge.tenant());
        if (tenant.hasQuota()) {
            TenantState s = state(tenant.id());
            refill(s, tenant);
            s.bucket = Math.min(tenant.tokensPerMinute(), s.bucket + tokens);
        }
    }

    /** Tops the tenant's bucket up for the time elapsed; returns what is available now. */
    private double refill(TenantState s, Tenant tenant) {
        long now = clock.millis();
        double capacity = tenant.tokensPerMinute();
        if (!s.bucketStarted) {
            s.bucketStarted = true;
            s.bucket = capacity;
        } else {
            s.bucket = Math.min(capacity, s.bucket + (now - s.bucketAtMillis) * capacity / 60_000.0);
        }
        s.bucketAtMillis = now;
        return s.bucket;
    }

    /**
     * How far past its weighted share of the tokens in flight a tenant with nothing waiting may still go
     * ahead of the backlog. A light tenant's requests in flight swing with its arrivals (Poisson: a tenant
     * averaging seven has ten about one time in ten); with an allowance of exactly its share, those peaks
     * sent it into the queue behind a flood's slots, which cost light tenants 2x their TTFT p90 under a
     * bounded batch. 1.5x absorbs the peaks while a flood, which always has requests waiting, never
     * qualifies (the heavy-tenant benchmark in docs/benchmarks.md; Jain among backlogged tenants stays 1.000).
     */
    static final double SHARE_BURST = 1.5;

    /**
     * Whether the tenant holds less than {@link #SHARE_BURST} times its weighted share of the tokens in flight:
     * its in-flight tokens below 1.5 x (all in-flight tokens) x weight / (weights of tenants with requests in
     * flight or waiting). Such a tenant, arriving with nothing of its own waiting, may go while every endpoint
     * is over its headroom budget (not when saturated): the budgets keep a flood in the queue, not a tenant
     * that uses about its share or less. This can overshoot a budget by at most the allowances of the tenants
     * within theirs. A tenant alone never goes ahead: there is nobody to overtake. Once a tenant waits it
     * leaves in fair order only: letting waiting tenants out on their share too tilted service among
     * backlogged tenants (Jain 0.94 instead of 1.0).
     */
    private boolean withinShareAllowance(TenantState s, Tenant t, double activeWeight) {
        // alone there is nobody to overtake, and 1.5x of a lone tenant's share would let it past every budget
        return activeWeight > t.weight() && s.inFlightTokens < SHARE_BURST * inFlightTokens * t.weight() / activeWeight;
    }

    /** Sum of the weights of tenants with requests in flight or waiting, counting {@code also} too. */
    private double activeWeight(TenantState also) {
        double sum = 0;
        for (TenantState s : states.values()) {
            if (s.inFlightTokens > 0 || s.queued > 0 || s == also) {
                sum += tenant(s.id).weight();
            }
        }
        return sum;
    }

    private double minWaitingCounter() {
        double min = Double.POSITIVE_INFINITY;
        for (TenantState s : states.values()) {
            if (s.queued > 0) {
                min = Math.min(min, s.counter);
            }
        }
        return min == Double.POSITIVE_INFINITY ? lastServedCounter : min;
    }

    private void remove(TenantState s, QueuedRequest q) {
        ArrayDeque<QueuedRequest> queue = s.queues.get(q.band());
        queue.remove(q);
        if (queue.isEmpty()) {
            s.queues.remove(q.band());
        }
        s.queued--;
        queuedByModel.computeIfPresent(q.request().model(), (m, n) -> n <= 1 ? null : n - 1);
    }

    private static Verdict.Rejected reject(int status, String message, String code, long retryAfterSeconds) {
        return new Verdict.Rejected(status, new ApiError(message, ApiError.RATE_LIMIT, null, code), retryAfterSeconds);
    }
}
