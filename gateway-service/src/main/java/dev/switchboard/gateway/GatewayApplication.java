package dev.switchboard.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClient;

import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.gateway.lb.SchedulerLoadBalancerConfiguration;

/**
 * The OpenAI-compatible edge. Routes to {@code lb://switchboard-engines}; the load balancer for
 * that service asks the scheduler instead of choosing locally.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@LoadBalancerClient(name = MetadataKeys.ENGINES_SERVICE, configuration = SchedulerLoadBalancerConfiguration.class)
public class GatewayApplication {
    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }
}
