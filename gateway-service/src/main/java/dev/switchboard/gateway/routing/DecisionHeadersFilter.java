package dev.switchboard.gateway.routing;

import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.contract.SwitchboardHeaders;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.gateway.lb.LeaseReporter;
import dev.switchboard.gateway.lb.LeaseTracker;
import dev.switchboard.gateway.lb.ScheduledInstance;
import reactor.core.publisher.Mono;

/**
 * Runs right after load balancing: passes the scheduler's decision to the adapter in
 * {@code x-switchboard-*} headers, tells the client which endpoint served it, and closes the lease
 * if the client goes away mid-request (the load-balancer lifecycle covers success and failure).
 */
@Component
public class DecisionHeadersFilter implements GlobalFilter, Ordered {
    public static final int ORDER = ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER + 1;

    private final LeaseReporter reporter;

    public DecisionHeadersFilter(LeaseReporter reporter) {
        this.reporter = reporter;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Response<?> lbResponse = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_LOADBALANCER_RESPONSE_ATTR);
        if (lbResponse == null || !(lbResponse.getServer() instanceof ScheduledInstance scheduled)) {
            return chain.filter(exchange);
        }
        ScheduleDecision decision = scheduled.decision();
        LeaseTracker tracker = LeaseTracker.of(exchange.getAttributes(), decision);
        var request = exchange.getRequest().mutate().headers(h -> {
            h.set(SwitchboardHeaders.LEASE, decision.leaseId());
            h.set(SwitchboardHeaders.REQUEST_ID, decision.requestId());
            h.set(SwitchboardHeaders.ENDPOINT, decision.decode().id());
            if (decision.prefill() != null) {
                h.set(SwitchboardHeaders.PREFILL, decision.prefill().hostPort());
            }
        }).build();
        exchange.getResponse().getHeaders().set(SwitchboardHeaders.ENDPOINT, decision.decode().id());
        exchange.getResponse().getHeaders().set(SwitchboardHeaders.REQUEST_ID, decision.requestId());
        return chain.filter(exchange.mutate().request(request).build())
                .doOnCancel(() -> tracker.close(reporter, LeaseCompletion.Outcome.DISCARDED, 499));
    }
}
