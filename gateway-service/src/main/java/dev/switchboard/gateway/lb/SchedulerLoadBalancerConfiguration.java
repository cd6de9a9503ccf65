package dev.switchboard.gateway.lb;

import org.springframework.context.annotation.Bean;

/**
 * Load-balancer configuration of the engines' service, applied through
 * {@code @LoadBalancerClient}. Deliberately not a {@code @Configuration}, so component scanning
 * does not turn it into the default for every service (the scheduler's own client keeps Spring
 * Cloud's round-robin).
 */
public class SchedulerLoadBalancerConfiguration {

    @Bean
    SchedulerLoadBalancer schedulerLoadBalancer(SchedulerClient scheduler) {
        return new SchedulerLoadBalancer(scheduler);
    }

    @Bean
    LeaseLifecycle leaseLifecycle(LeaseReporter reporter) {
        return new LeaseLifecycle(reporter);
    }
}
