package dev.switchboard.gateway.routing;

import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.contract.SwitchboardHeaders;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.gateway.lb.LeaseTracker;
import dev.switchboard.gateway.lb.ScheduledInstance;
import dev.switchboard.gateway.observe.GatewayMetrics;
import dev.switchboard.gateway.observe.StreamObserver;
import reactor.core.publisher.Mono;

/**
 * Runs right after load balancing, once per attempt: passes the decision to the adapter in
 * {@code x-switchboard-*} headers, observes the relayed response (TTFT, inter-token gaps, usage),
 * and marks the endpoint failed for this request when it refused before the first byte (so the Retry
 * filter's next decision avoids it).
 */
@Component
public class DecisionHeadersFilter implements GlobalFilter, Ordered {
    public static final int ORDER = ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER + 1;

    private final GatewayMetrics metrics;

    public DecisionHeadersFilter(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Response<?> lbResponse = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_LOADBALANCER_RESPONSE_ATTR);
        RequestContext context = exchange.getAttribute(RequestContext.ATTRIBUTE);
        if (lbResponse == null || !(lbResponse.getServer() instanceof ScheduledInstance scheduled) || context == null) {
            return chain.filter(exchange);
        }
        ScheduleDecision decision = scheduled.decision();
        String endpoint = decision.decode().id();
        String model = context.routing().model();
        LeaseTracker tracker = LeaseTracker.of(exchange.getAttributes(), decision);
        StreamObserver observer = new StreamObserver(context.routing().stream(), context.startNanos(), (nanos, gap) -> {
            if (gap >= 0) {
                metrics.interToken(model, gap);
            }
        });
        context.observer(observer);
        tracker.observer(observer);

        var request = exchange.getRequest().mutate().headers(h -> {
            h.set(SwitchboardHeaders.LEASE, decision.leaseId());
            h.set(SwitchboardHeaders.REQUEST_ID, decision.requestId());
            h.set(SwitchboardHeaders.ENDPOINT, endpoint);
            if (decision.prefill() != null) {
                h.set(SwitchboardHeaders.PREFILL, SwitchboardHeaders.prefillValue(decision.prefill()));
            }
        }).build();
        exchange.getResponse().getHeaders().set(SwitchboardHeaders.ENDPOINT, endpoint);
        exchange.getResponse().getHeaders().set(SwitchboardHeaders.REQUEST_ID, decision.requestId());
        return chain.filter(exchange.mutate().request(request).build())
                .doOnError(e -> {
                    if (!observer.started()) {
                        context.failedEndpoints().add(endpoint);
                        metrics.retry("connect_failed");
                    }
                })
                .doOnSuccess(done -> {
                    var status = exchange.getResponse().getStatusCode();
                    if ((HttpStatus.SERVICE_UNAVAILABLE.equals(status) || HttpStatus.BAD_GATEWAY.equals(status))
                            && !observer.started()) {
                        context.failedEndpoints().add(endpoint);
                        metrics.retry("engine_unavailable");
                    }
                });
    }
}
