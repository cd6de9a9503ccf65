package dev.switchboard.gateway.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.LoadBalancerProperties;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.cloud.client.loadbalancer.reactive.ReactorLoadBalancerExchangeFilterFunction;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.gateway.GatewayProperties;
import dev.switchboard.gateway.observe.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SchedulerClientTest {
    private static final String DECISION = """
            {"leaseId":"l","requestId":"r","decode":{"id":"decode-1","host":"127.0.0.1","port":8003,"bootstrapPort":0},
             "prefill":null,"predictedCachedTokens":0,"reason":"test","candidates":[]}""";

    private static final int CONNECTIONS = 8;

    private DisposableServer scheduler;
    private SchedulerClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.destroy();
        }
        if (scheduler != null) {
            scheduler.disposeNow();
        }
    }

    /**
     * Every request waiting in the scheduler's admission queue holds its call open until admitted; more of
     * them than there are connections wait for one, and none fails for want of a connection.
     */
    @Test
    void decisionsTheSchedulerHoldsInItsQueueAllGetTheirAnswerEvenPastTheConnectionLimit() {
        scheduler = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.post("/v1/schedule", (req, res) -> req.receive().then()
                        .then(Mono.delay(Duration.ofMillis(300)))
                        .then(res.header("Content-Type", "application/json").sendString(Mono.just(DECISION)).then())))
                .bindNow();
        client = new SchedulerClient(WebClient.builder(), loadBalancing(scheduler.port()), properties(),
                new GatewayMetrics(new SimpleMeterRegistry()));

        int queued = 5 * CONNECTIONS; // Reactor Netty's default waiting list holds 2 x connections
        List<ScheduleDecision> decisions = Flux.range(0, queued)
                .flatMap(i -> client.schedule(new ScheduleRequest("r" + i, "m", "t", 0, 10, 10, null, null, true, null)), queued)
                .collectList().block(Duration.ofSeconds(20));

        assertThat(decisions).hasSize(queued).allSatisfy(d -> assertThat(d.decode().id()).isEqualTo("decode-1"));
    }

    private static GatewayProperties properties() {
        return new GatewayProperties(DataSize.ofMegabytes(8), 16, Duration.ofSeconds(10), 16, Duration.ofMillis(5),
                Duration.ofSeconds(60), CONNECTIONS);
    }

    /** Spring Cloud LoadBalancer resolving the scheduler's service name to the test server. */
    private static ReactorLoadBalancerExchangeFilterFunction loadBalancing(int port) {
        ServiceInstance instance = new DefaultServiceInstance("scheduler-1", MetadataKeys.SCHEDULER_SERVICE, "127.0.0.1", port,
                false);
        ReactiveLoadBalancer<ServiceInstance> balancer = request -> Mono.just(new DefaultResponse(instance));
        ReactiveLoadBalancer.Factory<ServiceInstance> factory = new ReactiveLoadBalancer.Factory<>() {
            @Override
            public ReactiveLoadBalancer<ServiceInstance> getInstance(String serviceId) {
                return balancer;
            }

            @Override
            public <X> Map<String, X> getInstances(String name, Class<X> type) {
                return Map.of();
            }

            @Override
            public <X> X getInstance(String name, Class<?> clazz, Class<?>... generics) {
                return null;
            }

            @Override
            public LoadBalancerProperties getProperties(String serviceId) {
                return new LoadBalancerProperties();
            }
        };
        return new ReactorLoadBalancerExchangeFilterFunction(factory, List.of());
    }
}
