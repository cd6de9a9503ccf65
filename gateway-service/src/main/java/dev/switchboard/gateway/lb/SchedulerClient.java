package dev.switchboard.gateway.lb;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.reactive.ReactiveLoadBalancer;
import org.springframework.stereotype.Component;

import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.contract.wire.SchedulerPaths;
import dev.switchboard.gateway.GatewayProperties;
import dev.switchboard.gateway.observe.GatewayMetrics;
import dev.switchboard.gateway.routing.InvalidRequestException;
import dev.switchboard.support.netty.EventLoopLocal;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * HTTP client of the scheduler service. Scheduler instances come from discovery
 * ({@value MetadataKeys#SCHEDULER_SERVICE}) through Spring Cloud LoadBalancer (its {@link ReactiveLoadBalancer}
 * for that service picks the instance of every call); calls go out on Reactor Netty's {@link HttpClient}
 * directly, over kept-alive connections in pools of the client's own (see {@link #connectionPool}), one per
 * event loop (see {@link EventLoopLocal}): a decision is asked for on the loop that handles the request, and its
 * answer comes back on that loop, where the request is then routed. Bodies are encoded and decoded with the
 * application's {@link ObjectMapper}. A WebClient did the same with several times the CPU and about half a
 * millisecond more per decision, on the critical path of every request (docs/benchmarks.md, session 10).
 */
@Component
public class SchedulerClient implements DisposableBean {
    private static final TypeReference<Map<String, Object>> MODEL_LIST = new TypeReference<>() { };

    private final ReactiveLoadBalancer.Factory<ServiceInstance> loadBalancers;
    private final EventLoopLocal<LoopClient> clients;
    private final ObjectMapper json;
    private final GatewayProperties properties;
    private final GatewayMetrics metrics;
    /** The scheduler service's load balancer, looked up once (each lookup searches the load balancer's context). */
    private volatile ReactiveLoadBalancer<ServiceInstance> schedulerInstances;

    public SchedulerClient(ReactiveLoadBalancer.Factory<ServiceInstance> loadBalancers, ObjectMapper json,
            GatewayProperties properties, GatewayMetrics metrics) {
        this.loadBalancers = loadBalancers;
        this.clients = new EventLoopLocal<>(() -> LoopClient.over(connectionPool(properties)), LoopClient::dispose);
        this.json = json;
        this.properties = properties;
        this.metrics = metrics;
    }

    /**
     * The connections to the scheduler. A request the scheduler queues for admission keeps its call, and so
     * its connection, open until admitted, so the pool is sized for every request that may wait there
     * ({@code scheduler-connections}); past it, calls wait for a connection up to {@code scheduler-timeout}
     * instead of failing. The shared default pool (500 connections, then 1,000 waiting callers) fails the
     * next call with "pending acquire limit", which the gateway would take for an unreachable scheduler and
     * route around admission through the local fallback, under exactly the overload admission is for.
     */
    private static ConnectionProvider connectionPool(GatewayProperties properties) {
        return ConnectionProvider.builder("switchboard-scheduler")
                .maxConnections(properties.schedulerConnections())
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(properties.schedulerTimeout())
                // a kept-alive connection idle this long is closed rather than reused when the peer may be gone
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
    }

    @Override
    public void destroy() {
        clients.dispose();
    }

    /** One event loop's connections to the scheduler. */
    private record LoopClient(ConnectionProvider pool, HttpClient http) {
        static LoopClient over(ConnectionProvider pool) {
            return new LoopClient(pool, HttpClient.create(pool));
        }

        void dispose() {
            pool.dispose();
        }
    }

    /** A scheduler's answer: status, {@code Retry-After} and body (empty if none). */
    private record Answer(int status, String retryAfter, byte[] body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Asks for a decision. A scheduler rejection (its OpenAI error, e.g. 404, 429 with Retry-After,
     * 503) becomes an {@link InvalidRequestException} for the client; a scheduler that cannot be
     * reached or fails without an answer becomes a {@link SchedulerUnavailableException}.
     */
    public Mono<ScheduleDecision> schedule(ScheduleRequest request) {
        long start = System.nanoTime();
        return Mono.fromCallable(() -> json.writeValueAsBytes(request))
                .flatMap(body -> call(HttpMethod.POST, SchedulerPaths.SCHEDULE, body))
                .map(answer -> {
                    if (!answer.ok()) {
                        throw rejection(answer);
                    }
                    return json.readValue(answer.body(), ScheduleDecision.class);
                })
                .timeout(properties.schedulerTimeout())
                .onErrorMap(e -> !(e instanceof InvalidRequestException),
                        e -> new SchedulerUnavailableException("the scheduler could not be asked: " + e, e))
                .doOnSuccess(d -> metrics.schedulerCalls("decided").record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
                .doOnError(e -> metrics.schedulerCalls(e instanceof InvalidRequestException ? "rejected" : "unavailable")
                        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    /** Sends a batch of lease completions; errors if the scheduler does not accept them. */
    public Mono<Void> complete(List<LeaseCompletion> completions) {
        return Mono.fromCallable(() -> json.writeValueAsBytes(completions))
                .flatMap(body -> call(HttpMethod.POST, SchedulerPaths.COMPLETE_LEASES, body))
                .flatMap(answer -> answer.ok() ? Mono.<Void>empty()
                        : Mono.error(new SchedulerUnavailableException("the scheduler refused lease completions with "
                                + answer.status() + ": " + new String(answer.body(), StandardCharsets.UTF_8), null)));
    }

    /** Models served by the fleet, in the OpenAI list shape. */
    public Mono<Map<String, Object>> models() {
        return call(HttpMethod.GET, SchedulerPaths.MODELS, null)
                .map(answer -> {
                    if (!answer.ok()) {
                        throw new IllegalStateException("status " + answer.status());
                    }
                    return json.readValue(answer.body(), MODEL_LIST);
                })
                .timeout(properties.schedulerTimeout())
                .onErrorMap(e -> !(e instanceof InvalidRequestException),
                        e -> unavailable("The scheduler could not list models: " + e.getMessage()));
    }

    /** One call to a scheduler instance chosen by the load balancer, on the current event loop's connections. */
    private Mono<Answer> call(HttpMethod method, String path, byte[] body) {
        return Mono.from(schedulerInstances().choose())
                .flatMap(chosen -> {
                    if (!chosen.hasServer()) {
                        return Mono.error(new SchedulerUnavailableException(
                                "no instance of " + MetadataKeys.SCHEDULER_SERVICE + " is known", null));
                    }
                    HttpClient.RequestSender request = clients.onCurrentLoop().http()
                            .headers(headers -> {
                                if (body != null) {
                                    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                                }
                            })
                            .request(method)
                            .uri(chosen.getServer().getUri() + path);
                    return (body == null ? request : request.send(Mono.just(Unpooled.wrappedBuffer(body))))
                            .responseSingle((response, content) -> content.asByteArray()
                                    .defaultIfEmpty(new byte[0])
                                    .map(bytes -> new Answer(response.status().code(),
                                            response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER), bytes)));
                });
    }

    private ReactiveLoadBalancer<ServiceInstance> schedulerInstances() {
        ReactiveLoadBalancer<ServiceInstance> instances = schedulerInstances;
        if (instances == null) {
            instances = loadBalancers.getInstance(MetadataKeys.SCHEDULER_SERVICE);
            schedulerInstances = instances;
        }
        return instances;
    }

    /** The scheduler's refusal as the client's error: its OpenAI error and Retry-After, or a generic one. */
    private RuntimeException rejection(Answer answer) {
        ApiError.Body error = null;
        try {
            error = answer.body().length == 0 ? null : json.readValue(answer.body(), ApiError.Body.class);
        } catch (JacksonException e) {
            // not an OpenAI error: answered below by status alone
        }
        if (error == null) {
            if (answer.status() >= 500) {
                return new SchedulerUnavailableException("the scheduler failed with " + answer.status(), null);
            }
            error = new ApiError("The scheduler refused the request with status " + answer.status() + ".",
                    ApiError.typeForStatus(answer.status()), null, null).body();
        }
        return new InvalidRequestException(answer.status(), error.error(), answer.retryAfter());
    }

    private static InvalidRequestException unavailable(String message) {
        return new InvalidRequestException(503, new ApiError(message, ApiError.UNAVAILABLE, null, "scheduler_unavailable"));
    }
}
