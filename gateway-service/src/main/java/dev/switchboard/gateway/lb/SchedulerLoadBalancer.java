package dev.switchboard.gateway.lb;

import java.util.List;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;

import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.gateway.routing.RoutingRequest;
import reactor.core.publisher.Mono;

/**
 * The load balancer of the engines' service: instead of choosing among instances itself, it asks
 * the scheduler, which sees every engine's load and cache. Plugging in here (rather than replacing
 * routing) keeps Spring Cloud Gateway's {@code lb://} routing, lifecycle callbacks and metrics.
 */
public class SchedulerLoadBalancer implements ReactorServiceInstanceLoadBalancer {
    private final SchedulerClient scheduler;

    public SchedulerLoadBalancer(SchedulerClient scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public Mono<Response<ServiceInstance>> choose(Request request) {
        if (!(request.getContext() instanceof RequestDataContext context)
                || !(context.getClientRequest().getAttributes().get(RoutingRequest.ATTRIBUTE) instanceof RoutingRequest routing)) {
            return Mono.error(new IllegalStateException("engine requests must pass RequestParsingFilter before load balancing"));
        }
        ScheduleRequest scheduleRequest = new ScheduleRequest(routing.requestId(), routing.model(), null, routing.priority(),
                routing.promptTokens(), routing.maxTokens(), routing.blockHashes(), routing.sessionId(), routing.stream(),
                List.of());
        return scheduler.schedule(scheduleRequest).map(decision -> new DefaultResponse(new ScheduledInstance(decision)));
    }
}
