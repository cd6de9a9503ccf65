package dev.switchboard.gateway.resilience;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A Resilience4j circuit breaker per engine endpoint. Outcomes of requests sent there (5xx or a
 * failed connection count as failures) feed it; while it is open the endpoint is excluded from
 * scheduling decisions and from the local fallback, so a failing engine stops receiving traffic
 * even before the scheduler notices.
 */
@Component
public class EndpointBreakers {
    private final CircuitBreakerRegistry registry;

    public EndpointBreakers(MeterRegistry meters,
            @Value("${switchboard.gateway.circuit-breaker.failure-rate-threshold:50}") float failureRate,
            @Value("${switchboard.gateway.circuit-breaker.minimum-calls:5}") int minimumCalls,
            @Value("${switchboard.gateway.circuit-breaker.window:20}") int window,
            @Value("${switchboard.gateway.circuit-breaker.open-for:10s}") Duration openFor) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(failureRate)
                .minimumNumberOfCalls(minimumCalls)
                .slidingWindowSize(window)
                .waitDurationInOpenState(openFor)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(2)
                .build();
        this.registry = CircuitBreakerRegistry.of(config);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
    }

    private CircuitBreaker breaker(String endpointId) {
        return registry.circuitBreaker("endpoint-" + endpointId);
    }

    public void success(String endpointId, long durationNanos) {
        breaker(endpointId).onSuccess(durationNanos, TimeUnit.NANOSECONDS);
    }

    public void failure(String endpointId, long durationNanos, Throwable cause) {
        breaker(endpointId).onError(durationNanos, TimeUnit.NANOSECONDS,
                cause != null ? cause : new IllegalStateException("engine answered with a server error"));
    }

    /** Endpoints whose breaker is open (they take no requests until it half-opens). */
    public Set<String> open() {
        return registry.getAllCircuitBreakers().stream()
                .filter(cb -> cb.getState() == CircuitBreaker.State.OPEN || cb.getState() == CircuitBreaker.State.FORCED_OPEN)
                .map(cb -> cb.getName().substring("endpoint-".length()))
                .collect(Collectors.toUnmodifiableSet());
    }
}
