package dev.switchboard.gateway.routing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.contract.tenants.Tenant;
import dev.switchboard.gateway.observe.StreamObserver;

/**
 * Per client request state that outlives one attempt: what was parsed, who asked, which endpoints
 * already failed it (so a retry's decision avoids them), and the observer of the latest attempt.
 */
public final class RequestContext {
    /** Exchange attribute holding the context. */
    public static final String ATTRIBUTE = RequestContext.class.getName();

    private final RoutingRequest routing;
    private final Tenant tenant;
    private final long startNanos;
    private final Set<String> failedEndpoints = ConcurrentHashMap.newKeySet();
    private volatile StreamObserver observer;
    private volatile boolean usedFallback;

    public RequestContext(RoutingRequest routing, Tenant tenant, long startNanos) {
        this.routing = routing;
        this.tenant = tenant;
        this.startNanos = startNanos;
    }

    public RoutingRequest routing() {
        return routing;
    }

    public Tenant tenant() {
        return tenant;
    }

    public long startNanos() {
        return startNanos;
    }

    /** Endpoints that failed this request before its first byte; retries must not use them. */
    public Set<String> failedEndpoints() {
        return failedEndpoints;
    }

    public StreamObserver observer() {
        return observer;
    }

    public void observer(StreamObserver value) {
        observer = value;
    }

    public boolean usedFallback() {
        return usedFallback;
    }

    public void markFallback() {
        usedFallback = true;
    }

    /** The effective priority: the request's own, else the tenant's default. */
    public int priority() {
        return routing.priority() != null ? routing.priority() : tenant.priority();
    }
}
