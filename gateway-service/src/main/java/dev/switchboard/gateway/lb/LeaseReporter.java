package dev.switchboard.gateway.lb;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.gateway.GatewayProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Sends lease completions to the scheduler off the request path, in batches (up to
 * {@code lease-batch-size}, or whatever arrived within {@code lease-flush-interval}). A batch that
 * cannot be delivered is dropped and counted; its leases then expire at the scheduler.
 */
@Component
public class LeaseReporter implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(LeaseReporter.class);

    private final SchedulerClient scheduler;
    private final GatewayProperties properties;
    private final Sinks.Many<LeaseCompletion> queue = Sinks.many().unicast().onBackpressureBuffer();
    private final Counter dropped;
    private volatile Disposable sending;

    public LeaseReporter(SchedulerClient scheduler, GatewayProperties properties, MeterRegistry meters) {
        this.scheduler = scheduler;
        this.properties = properties;
        this.dropped = Counter.builder("switchboard_gateway_lease_completions_dropped")
                .description("Lease completions that could not be delivered to the scheduler").register(meters);
    }

    /** Queues a completion; never blocks. */
    public void report(LeaseCompletion completion) {
        Sinks.EmitResult result = queue.tryEmitNext(completion);
        if (result.isFailure()) {
            dropped.increment();
        }
    }

    @Override
    public void start() {
        Duration flush = properties.leaseFlushInterval();
        sending = queue.asFlux()
                .bufferTimeout(properties.leaseBatchSize(), flush, Schedulers.parallel())
                .concatMap(batch -> scheduler.complete(batch).onErrorResume(e -> {
                    dropped.increment(batch.size());
                    log.warn("could not deliver {} lease completions to the scheduler: {}", batch.size(), e.toString());
                    return reactor.core.publisher.Mono.empty();
                }))
                .subscribe();
    }

    @Override
    public void stop() {
        queue.tryEmitComplete();
        Disposable s = sending;
        sending = null;
        if (s != null) {
            // give the last batch a moment to go out
            try {
                Thread.sleep(properties.leaseFlushInterval().toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return sending != null;
    }
}
