package dev.switchboard.gateway.lb;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.client.loadbalancer.ResponseData;

import dev.switchboard.contract.wire.LeaseCompletion;

/**
 * Closes the scheduler's lease when Spring Cloud Gateway reports the end of a load-balanced
 * request: success once the response has been written, failure when the exchange errored.
 */
public class LeaseLifecycle implements LoadBalancerLifecycle<RequestDataContext, ResponseData, ServiceInstance> {
    private final LeaseReporter reporter;

    public LeaseLifecycle(LeaseReporter reporter) {
        this.reporter = reporter;
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
        LeaseCompletion.Outcome outcome = context.status() == CompletionContext.Status.SUCCESS && status < 500
                ? LeaseCompletion.Outcome.SUCCESS : LeaseCompletion.Outcome.FAILED;
        tracker.close(reporter, outcome, status);
    }
}
