package dev.switchboard.gateway.lb;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;

import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.gateway.observe.GatewayMetrics;
import dev.switchboard.gateway.resilience.EndpointBreakers;
import dev.switchboard.gateway.routing.RequestContext;
import dev.switchboard.gateway.routing.RoutingRequest;
import reactor.core.publisher.Mono;

/**
 * The load balancer of the engines' service: instead of choosing among instances itself, it asks
 * the scheduler, which sees every engine's load and cache. Plugging in here (rather than replacing
 * routing) keeps Spring Cloud Gateway's {@code lb://} routing, retries, lifecycle callbacks and
 * metrics. Endpoints that already failed this request or whose circuit breaker is open are excluded;
 * if the scheduler cannot be asked, {@link LocalFallback} decides.
 */
public class SchedulerLoadBalancer implements ReactorServiceInstanceLoadBalancer {
    private final SchedulerClient scheduler;
    private final LocalFallback fallback;
    private final EndpointBreakers breakers;
    private final GatewayMetrics metrics;

    public SchedulerLoadBalancer(SchedulerClient scheduler, LocalFallback fallback, EndpointBreakers breakers,
            GatewayMetrics metrics) {
        this.scheduler = scheduler;
        this.fallback = fallback;
        this.breakers = breakers;
        this.metrics = metrics;
    }

    @Override
    public Mono<Response<ServiceInstance>> choose(Request request) {
        if (!(request.getContext() instanceof RequestDataContext context)
                || !(context.getClientRequest().getAttributes().get(RequestContext.ATTRIBUTE) instanceof RequestContext ctx)) {
            return Mono.error(new IllegalStateException("engine requests must pass RequestParsingFilter before load balancing"));
        }
        RoutingRequest routing = ctx.routing();
        Set<String> excluded = new HashSet<>(ctx.failedEndpoints());
        excluded.addAll(breakers.open());
        ScheduleRequest scheduleRequest = new ScheduleRequest(routing.requestId(), routing.model(), ctx.tenant().id(),
                ctx.priority(), routing.promptTokens(), routing.maxTokens(), routing.blockHashes(), routing.sessionId(),
                routing.stream(), new ArrayList<>(excluded));
        return scheduler.schedule(scheduleRequest)
                .onErrorResume(SchedulerUnavailableException.class, e -> {
                    metrics.fallback("scheduler_unavailable");
                    ctx.markFallback();
                    return fallback.decide(routing.requestId(), routing.model(), excluded);
                })
                .map(this::respond);
    }

    private Response<ServiceInstance> respond(ScheduleDecision decision) {
        fallback.inFlight(decision.decode().id()).incrementAndGet();
        return new DefaultResponse(new ScheduledInstance(decision));
    }
}
