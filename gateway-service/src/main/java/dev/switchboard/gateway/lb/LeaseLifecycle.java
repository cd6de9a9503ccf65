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
 * Closes the scheduler's lease when Spring Cloud Gateway reports the end of a load-balanced attempt
 * (success once the response has been written, failure when it errored) and feeds the endpoint's
 * circuit breaker.
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
        if (tracker.close(reporter, fallback, failed ? LeaseCompletion.Outcome.FAILED : LeaseCompletion.Outcome.SUCCESS, status)) {
            String endpoint = scheduled.decision().decode().id();
            if (failed) {
                breakers.failure(endpoint, tracker.elapsedNanos(), context.getThrowable());
            } else {
                breakers.success(endpoint, tracker.elapsedNanos());
            }
        }
    }
}
