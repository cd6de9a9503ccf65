package dev.switchboard.gateway.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.gateway.GatewayProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Sends lease completions to the scheduler off the request path. Requests finish on many event-loop
 * threads at once, so completions go into a lock-free queue; every {@code lease-flush-interval} the
 * queue is drained in batches of at most {@code lease-batch-size}. A batch that cannot be delivered
 * is retried twice (closing a lease is idempotent at the scheduler, and the usual failure is a kept-alive
 * connection the scheduler closed just as it was reused); a batch still undelivered is dropped and
 * counted, and its leases then expire at the scheduler.
 */
@Component
public class LeaseReporter implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(LeaseReporter.class);
    /** Bound on queued completions, so an unreachable scheduler cannot exhaust the heap. */
    private static final int MAX_QUEUED = 100_000;
    private static final Retry RETRY = Retry.backoff(2, Duration.ofMillis(20));

    private final SchedulerClient scheduler;
    private final GatewayProperties properties;
    private final Queue<LeaseCompletion> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Counter dropped;
    private volatile Disposable flushing;

    public LeaseReporter(SchedulerClient scheduler, GatewayProperties properties, MeterRegistry meters) {
        this.scheduler = scheduler;
        this.properties = properties;
        this.dropped = Counter.builder("switchboard_gateway_lease_completions_dropped")
                .description("Lease completions that could not be delivered to the scheduler").register(meters);
    }

    /** Queues a completion; never blocks. */
    public void report(LeaseCompletion completion) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.increment();
            return;
        }
        queue.offer(completion);
    }

    /** Sends everything queued now, batch after batch. */
    Mono<Void> flush() {
        return Flux.<List<LeaseCompletion>>generate(sink -> {
            List<LeaseCompletion> batch = new ArrayList<>(properties.leaseBatchSize());
            LeaseCompletion next;
            while (batch.size() < properties.leaseBatchSize() && (next = queue.poll()) != null) {
                batch.add(next);
            }
            queued.addAndGet(-batch.size());
            if (batch.isEmpty()) {
                sink.complete();
            } else {
                sink.next(batch);
            }
        }).concatMap(batch -> scheduler.complete(batch).retryWhen(RETRY).onErrorResume(e -> {
            dropped.increment(batch.size());
            Throwable cause = Exceptions.isRetryExhausted(e) && e.getCause() != null ? e.getCause() : e;
            log.warn("could not deliver {} lease completions to the scheduler: {}", batch.size(), cause.toString());
            return Mono.empty();
        })).then();
    }

    @Override
    public void start() {
        flushing = Flux.interval(properties.leaseFlushInterval())
                .onBackpressureDrop()
                .concatMap(tick -> flush(), 1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable f = flushing;
        flushing = null;
        if (f != null) {
            f.dispose();
        }
        // deliver what is left, briefly, so a clean shutdown does not leave leases to expire
        try {
            flush().block(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            log.warn("lease completions still queued at shutdown were not delivered: {}", e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return flushing != null;
    }
}
