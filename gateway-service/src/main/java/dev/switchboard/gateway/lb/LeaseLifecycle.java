package dev.switchboard.gateway.lb;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.client.loadbalancer.ResponseData;

import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.gateway.resilience.EndpointBreakers;

/**
 * Feeds the endpoint's circuit breaker when Spring Cloud Gateway reports the end of a load-balanced
 * attempt, and closes the lease of a failed attempt (a retry with a new decision may follow). A
 * successful attempt's lease is closed when the whole response has been written
 * ({@code RequestParsingFilter}): this callback runs before {@code NettyWriteResponseFilter} writes
 * the body, so the usage the engine sends last is not known yet.
 */
public class LeaseLifecycle implements LoadBalancerLifecycle<RequestDataContext, ResponseData, ServiceInstance> {
    private final LeaseReporter reporter;
    private final LocalFallback fallback;
    private final EndpointBreakers breakers;

    public LeaseLifecycle(LeaseReporter reporter, LocalFallback fallback, EndpointBreakers breakers) {
        this.reporter = reporter;
        this.fallback = fallback;
        this.breakers = breakers;
    }

    @Override
    public boolean supports(Class requestContextClass, Class responseClass, Class serverTypeClass) {
        return RequestDataContext.class.isAssignableFrom(requestContextClass)
                && ResponseData.class.isAssignableFrom(responseClass)
                && ServiceInstance.class.isAssignableFrom(serverTypeClass);
    }

    @Override
    public void onStart(Request<RequestDataContext> request) {
    }

    @Override
    public void onStartRequest(Request<RequestDataContext> request, Response<ServiceInstance> lbResponse) {
    }

    @Override
    public void onComplete(CompletionContext<ResponseData, ServiceInstance, RequestDataContext> context) {
        Response<ServiceInstance> lbResponse = context.getLoadBalancerResponse();
        if (lbResponse == null || !(lbResponse.getServer() instanceof ScheduledInstance scheduled)) {
            return; // no decision, so no lease
        }
        var attributes = context.getLoadBalancerRequest().getContext().getClientRequest().getAttributes();
        LeaseTracker tracker = LeaseTracker.of(attributes, scheduled.decision());
        int status = context.getClientResponse() != null && context.getClientResponse().getHttpStatus() != null
                ? context.getClientResponse().getHttpStatus().value() : 502;
        boolean failed = context.status() != CompletionContext.Status.SUCCESS || status >= 500;
        String endpoint = scheduled.decision().decode().id();
        if (failed) {
            breakers.failure(endpoint, tracker.elapsedNanos(), context.getThrowable());
            tracker.close(reporter, fallback, LeaseCompletion.Outcome.FAILED, status);
        } else {
            breakers.success(endpoint, tracker.elapsedNanos());
        }
    }
}
