package dev.switchboard.adapter.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Drains endpoints: reports {@code DRAINING} at once (event stream, registry), waits until the
 * endpoint's in-flight requests are done or the drain timeout passes, then deregisters it
 * ({@code DEREGISTERED}). Used by {@code POST /admin/drain} and by shutdown (SIGTERM).
 */
public final class Drainer {
    private static final Logger log = LoggerFactory.getLogger(Drainer.class);
    private static final Duration POLL = Duration.ofMillis(20);

    /**
     * How a drain ended.
     *
     * @param endpointId   the endpoint
     * @param drained      whether every in-flight request finished before the timeout
     * @param leftInFlight requests still in flight at deregistration
     * @param tookMillis   time from drain start to deregistration
     */
    public record Result(String endpointId, boolean drained, int leftInFlight, long tookMillis) {
    }

    private final Duration timeout;
    private final Scheduler scheduler;
    private final Map<String, Mono<Result>> running = new ConcurrentHashMap<>();

    public Drainer(Duration timeout, Scheduler scheduler) {
        this.timeout = timeout;
        this.scheduler = scheduler;
    }

    public Drainer(Duration timeout) {
        this(timeout, Schedulers.parallel());
    }

    /** Drains one endpoint; a drain already running for it is shared, not restarted. */
    public Mono<Result> drain(EngineEndpoint endpoint, String why) {
        return running.computeIfAbsent(endpoint.id(), id -> start(endpoint, why));
    }

    /** Drains every endpoint at once. */
    public Mono<List<Result>> drainAll(List<EngineEndpoint> endpoints, String why) {
        return Flux.fromIterable(endpoints).flatMap(e -> drain(e, why)).collectList();
    }

    /** Stops a drain (or undoes a finished one): the endpoint is registered again and takes requests when healthy. */
    public void undrain(EngineEndpoint endpoint, String why) {
        running.remove(endpoint.id());
        endpoint.undrain(why);
    }

    private Mono<Result> start(EngineEndpoint endpoint, String why) {
        long startedAt = endpoint.clock().millis();
        endpoint.startDrain(why);
        log.info("draining engine '{}' ({}): {} request(s) in flight, waiting up to {}", endpoint.id(), why,
                endpoint.inFlight(), timeout);
        return Flux.interval(Duration.ZERO, POLL, scheduler)
                .filter(tick -> endpoint.inFlight() <= 0 || !endpoint.draining())
                .next()
                .map(tick -> true)
                .timeout(timeout, Mono.just(false), scheduler)
                .map(drained -> {
                    if (!endpoint.draining()) {
                        return new Result(endpoint.id(), false, endpoint.inFlight(), endpoint.clock().millis() - startedAt);
                    }
                    int left = endpoint.inFlight();
                    String detail = drained ? "drained" : "drain timeout after " + timeout + " with " + left + " request(s) in flight";
                    endpoint.markDeregistered(detail);
                    if (!drained) {
                        log.warn("engine '{}': {}", endpoint.id(), detail);
                    }
                    return new Result(endpoint.id(), drained, Math.max(left, 0), endpoint.clock().millis() - startedAt);
                })
                .cache();
    }
}
