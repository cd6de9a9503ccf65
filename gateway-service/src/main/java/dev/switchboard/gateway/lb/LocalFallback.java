package dev.switchboard.gateway.lb;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.stereotype.Component;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.EndpointRef;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.gateway.routing.InvalidRequestException;
import reactor.core.publisher.Mono;

/**
 * Keeps healthy engines serving when the scheduler is unreachable: least outstanding requests (as
 * this gateway counts them) over the engines discovered directly, among those serving the model
 * on the decode side and not failed or circuit-broken. No cache or fairness awareness, and no
 * lease: a degraded mode, counted and logged.
 */
@Component
public class LocalFallback {
    /** Lease ids of local decisions start with this; they are never reported to the scheduler. */
    public static final String LEASE_PREFIX = "local-";
    private static final Logger log = LoggerFactory.getLogger(LocalFallback.class);

    private final ReactiveDiscoveryClient discovery;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private volatile long lastWarnMillis;

    public LocalFallback(ReactiveDiscoveryClient discovery) {
        this.discovery = discovery;
    }

    /** A local decision for {@code model}, avoiding {@code excluded}; errors with 503 if none is possible. */
    public Mono<ScheduleDecision> decide(String requestId, String model, Set<String> excluded) {
        warn();
        return discovery.getInstances(MetadataKeys.ENGINES_SERVICE).collectList().map(instances -> {
            List<Candidate> candidates = instances.stream().map(LocalFallback::candidate)
                    .filter(c -> c != null && c.descriptor().serves(model) && c.descriptor().role().servesDecode()
                            && !excluded.contains(c.descriptor().endpointId()))
                    .toList();
            Candidate best = candidates.stream()
                    .min(Comparator.comparingInt(c -> inFlight(c.descriptor().endpointId()).get()))
                    .orElseThrow(() -> new InvalidRequestException(503, new ApiError("The scheduler is unreachable and no "
                            + "discovered engine serving `" + model + "` can take the request.", ApiError.UNAVAILABLE, null,
                            "no_engine_available")));
            return new ScheduleDecision(LEASE_PREFIX + UUID.randomUUID(), requestId,
                    new EndpointRef(best.descriptor().endpointId(), best.instance().getHost(), best.instance().getPort()), null, 0,
                    "local fallback: least outstanding (scheduler unreachable)", List.of());
        });
    }

    /** Requests this gateway has in flight per endpoint (all decisions, so the fallback starts informed). */
    public AtomicInteger inFlight(String endpointId) {
        return inFlight.computeIfAbsent(endpointId, id -> new AtomicInteger());
    }

    private record Candidate(ServiceInstance instance, EngineDescriptor descriptor) {
    }

    private static Candidate candidate(ServiceInstance instance) {
        try {
            return new Candidate(instance, EngineDescriptor.fromMetadata(instance.getMetadata()));
        } catch (IllegalArgumentException invalid) {
            return null;
        }
    }

    private void warn() {
        long now = System.currentTimeMillis();
        if (now - lastWarnMillis > 10_000) {
            lastWarnMillis = now;
            log.warn("scheduler unreachable: routing locally (least outstanding) until it answers again");
        }
    }
}
