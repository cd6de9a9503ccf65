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
import org.springframework.util.unit.DataSize;

import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.gateway.GatewayProperties;
import dev.switchboard.gateway.observe.GatewayMetrics;
import dev.switchboard.gateway.routing.InvalidRequestException;
import dev.switchboard.support.json.BlockHashJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SchedulerClientTest {
    private static final String DECISION = """
            {"leaseId":"l","requestId":"r","decode":{"id":"decode-1","host":"127.0.0.1","port":8003,"bootstrapPort":0},
             "prefill":null,"predictedCachedTokens":0,"reason":"test","candidates":[]}""";

    private static final int CONNECTIONS = 8;
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(BlockHashJson.module()).build();

    private DisposableServer scheduler;
    private SchedulerClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.destroy();
            client = null;
        }
        if (scheduler != null) {
            scheduler.disposeNow();
            scheduler = null;
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
        client = new SchedulerClient(loadBalancing(scheduler.port()), JSON, properties(),
                new GatewayMetrics(new SimpleMeterRegistry()));

        int queued = 5 * CONNECTIONS; // Reactor Netty's default waiting list holds 2 x connections
        List<ScheduleDecision> decisions = Flux.range(0, queued)
                .flatMap(i -> client.schedule(new ScheduleRequest("r" + i, "m", "t", 0, 10, 10, null, null, true, null)), queued)
                .collectList().block(Duration.ofSeconds(20));

        assertThat(decisions).hasSize(queued).allSatisfy(d -> assertThat(d.decode().id()).isEqualTo("decode-1"));
    }

    /** How each kind of scheduler answer reaches the gateway: a decision, the client's error, or "unavailable". */
    @Test
    void schedulerAnswersBecomeDecisionsClientErrorsOrUnavailability() {
        record Case(int status, String retryAfter, String body, String expect) { }
        List<Case> cases = List.of(
                new Case(200, null, DECISION, "decision decode-1"),
                new Case(429, "7", "{\"error\":{\"message\":\"over quota\",\"type\":\"rate_limit_error\",\"param\":null,"
                        + "\"code\":\"quota_exceeded\"}}", "client 429 quota_exceeded retry 7"),
                new Case(404, null, "{\"error\":{\"message\":\"no such model\",\"type\":\"not_found_error\",\"param\":null,"
                        + "\"code\":\"model_not_found\"}}", "client 404 model_not_found retry null"),
                new Case(400, null, "not json", "client 400 null retry null"),
                new Case(503, null, "", "unavailable"),
                new Case(500, null, "<html>oops</html>", "unavailable"),
                new Case(200, null, "{\"leaseId\":", "unavailable"));
        for (Case c : cases) {
            scheduler = HttpServer.create().host("127.0.0.1").port(0)
                    .route(r -> r.post("/v1/schedule", (req, res) -> {
                        if (c.retryAfter() != null) {
                            res.header("Retry-After", c.retryAfter());
                        }
                        return req.receive().then().then(res.status(c.status()).header("Content-Type", "application/json")
                                .sendString(Mono.just(c.body())).then());
                    }))
                    .bindNow();
            client = new SchedulerClient(loadBalancing(scheduler.port()), JSON, properties(),
                    new GatewayMetrics(new SimpleMeterRegistry()));
            String outcome = client.schedule(new ScheduleRequest("r", "m", "t", 0, 10, 10, new long[] {1, 2}, null, true, null))
                    .map(d -> "decision " + d.decode().id())
                    .onErrorResume(InvalidRequestException.class, e -> Mono.just("client " + e.httpStatus() + " "
                            + e.error().code() + " retry " + e.retryAfter()))
                    .onErrorResume(SchedulerUnavailableException.class, e -> Mono.just("unavailable"))
                    .block(Duration.ofSeconds(10));
            assertThat(outcome).as(c.toString()).isEqualTo(c.expect());
            stop();
        }
    }

    @Test
    void anUnreachableSchedulerIsUnavailableAndLeaseBatchesArriveWhole() {
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        scheduler = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.post("/v1/leases/complete", (req, res) -> req.receive().aggregate().asString()
                        .doOnNext(received::add).then(res.status(202).send().then())))
                .bindNow();
        client = new SchedulerClient(loadBalancing(scheduler.port()), JSON, properties(),
                new GatewayMetrics(new SimpleMeterRegistry()));
        client.complete(List.of(new LeaseCompletion("l1", LeaseCompletion.Outcome.SUCCESS, 200, 10, 0, 5, 3, 9),
                new LeaseCompletion("l2", LeaseCompletion.Outcome.FAILED, 502, -1, -1, -1, -1, 2))).block(Duration.ofSeconds(10));
        assertThat(received).hasSize(1);
        assertThat(JSON.readValue(received.get(0), LeaseCompletion[].class)).extracting(LeaseCompletion::leaseId)
                .containsExactly("l1", "l2");

        int port = scheduler.port();
        stop();
        client = new SchedulerClient(loadBalancing(port), JSON, properties(), new GatewayMetrics(new SimpleMeterRegistry()));
        assertThat(client.schedule(new ScheduleRequest("r", "m", "t", 0, 10, 10, null, null, true, null))
                .map(d -> "decision").onErrorResume(SchedulerUnavailableException.class, e -> Mono.just("unavailable"))
                .block(Duration.ofSeconds(10))).isEqualTo("unavailable");
    }

    private static GatewayProperties properties() {
        return new GatewayProperties(DataSize.ofMegabytes(8), 16, Duration.ofSeconds(10), 16, Duration.ofMillis(5),
                Duration.ofSeconds(60), CONNECTIONS);
    }

    /** Spring Cloud LoadBalancer resolving the scheduler's service name to the test server. */
    private static ReactiveLoadBalancer.Factory<ServiceInstance> loadBalancing(int port) {
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
        return factory;
    }
}
