package dev.switchboard.scheduler.engine;

import java.time.Clock;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.SchedulerProperties;
import dev.switchboard.scheduler.datalayer.EngineDirectory;
import dev.switchboard.scheduler.datalayer.LeaseRegistry;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Runs a {@link SchedulingCycle} for each request against the latest snapshot and opens a lease on
 * the pick; closes leases when the gateway reports completion.
 */
@Service
public class SchedulerService {
    private static final Logger log = LoggerFactory.getLogger(SchedulerService.class);

    private final EngineDirectory directory;
    private final LeaseRegistry leases;
    private final SchedulingCycle cycle = new SchedulingCycle();
    private final MeterRegistry meters;
    private final Timer decisionTimer;
    private final Counter unknownLeases;

    public SchedulerService(EngineDirectory directory, SchedulerProperties properties, Clock clock, MeterRegistry meters) {
        this.directory = directory;
        this.leases = new LeaseRegistry(clock, properties.leaseTimeout());
        this.meters = meters;
        this.decisionTimer = Timer.builder("switchboard_scheduler_decision_seconds")
                .description("Time to run one scheduling cycle and open its lease")
                .register(meters);
        this.unknownLeases = Counter.builder("switchboard_scheduler_lease_completions_unknown")
                .description("Lease completions for leases that were already closed or had expired")
                .register(meters);
        meters.gauge("switchboard_scheduler_open_leases", leases, LeaseRegistry::openLeases);
    }

    /** Decides where {@code request} goes; throws {@link SchedulingRejectedException} if nowhere. */
    public ScheduleDecision schedule(ScheduleRequest request) {
        long start = System.nanoTime();
        try {
            CycleResult result;
            LeaseRegistry.Lease lease = null;
            // decision and lease are one step, so two concurrent requests never both see the same idle endpoint
            synchronized (leases) {
                result = cycle.decide(request, leases.overlay(directory.current()));
                if (result instanceof CycleResult.Picked picked) {
                    lease = leases.open(request.requestId(), picked.endpoint().id());
                }
            }
            if (result instanceof CycleResult.Rejected rejected) {
                countDecision("rejected", Integer.toString(rejected.httpStatus()));
                throw new SchedulingRejectedException(rejected.httpStatus(), rejected.error());
            }
            CycleResult.Picked picked = (CycleResult.Picked) result;
            countDecision("picked", picked.endpoint().id());
            return new ScheduleDecision(lease.leaseId(), request.requestId(), picked.endpoint().ref(), null, 0, picked.reason());
        } finally {
            decisionTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the leases of finished requests. */
    public void complete(List<LeaseCompletion> completions) {
        for (LeaseCompletion completion : completions) {
            LeaseRegistry.Lease lease;
            synchronized (leases) {
                lease = leases.close(completion.leaseId());
            }
            if (lease == null) {
                unknownLeases.increment();
                continue;
            }
            meters.counter("switchboard_scheduler_lease_completions", "endpoint", lease.endpointId(),
                    "outcome", completion.outcome().name().toLowerCase(java.util.Locale.ROOT)).increment();
        }
    }

    /** The latest snapshot with outstanding counts. */
    public ClusterSnapshot snapshot() {
        synchronized (leases) {
            return leases.overlay(directory.current());
        }
    }

    @Scheduled(fixedDelayString = "${switchboard.scheduler.lease-sweep:10s}")
    void expireLeases() {
        int expired;
        synchronized (leases) {
            expired = leases.expire();
        }
        if (expired > 0) {
            log.warn("expired {} leases that were never completed (a gateway may have crashed)", expired);
            meters.counter("switchboard_scheduler_leases_expired").increment(expired);
        }
    }

    private void countDecision(String result, String detail) {
        meters.counter("switchboard_scheduler_decisions", "result", result,
                "picked".equals(result) ? "endpoint" : "status", detail).increment();
    }
}
