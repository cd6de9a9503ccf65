package dev.switchboard.gateway.lb;

import org.springframework.context.annotation.Bean;

import dev.switchboard.gateway.observe.GatewayMetrics;
import dev.switchboard.gateway.resilience.EndpointBreakers;

/**
 * Load-balancer configuration of the engines' service, applied through
 * {@code @LoadBalancerClient}. Deliberately not a {@code @Configuration}, so component scanning
 * does not turn it into the default for every service (the scheduler's own client keeps Spring
 * Cloud's round-robin).
 */
public class SchedulerLoadBalancerConfiguration {

    @Bean
    SchedulerLoadBalancer schedulerLoadBalancer(SchedulerClient scheduler, LocalFallback fallback, EndpointBreakers breakers,
            GatewayMetrics metrics) {
        return new SchedulerLoadBalancer(scheduler, fallback, breakers, metrics);
    }

    @Bean
    LeaseLifecycle leaseLifecycle(LeaseReporter reporter, LocalFallback fallback, EndpointBreakers breakers) {
        return new LeaseLifecycle(reporter, fallback, breakers);
    }
}
