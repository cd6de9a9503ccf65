package dev.switchboard.gateway.lb;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.client.loadbalancer.reactive.ReactorLoadBalancerExchangeFilterFunction;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.gateway.GatewayProperties;
import dev.switchboard.gateway.observe.GatewayMetrics;
import dev.switchboard.gateway.routing.InvalidRequestException;
import dev.switchboard.support.netty.EventLoopLocal;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * HTTP client of the scheduler service. Scheduler instances come from discovery
 * ({@value MetadataKeys#SCHEDULER_SERVICE}) through Spring Cloud LoadBalancer; connections are
 * pooled and kept alive by Reactor Netty, in pools of the client's own (see {@link #connectionPool}), one
 * per event loop (see {@link EventLoopLocal}): a decision is asked for on the loop that handles the request,
 * and its answer comes back on that loop, where the request is then routed.
 */
@Component
public class SchedulerClient implements DisposableBean {
    private final WebClient client;
    private final EventLoopLocal<LoopConnector> connectors;
    private final GatewayProperties properties;

    private final GatewayMetrics metrics;

    public SchedulerClient(WebClient.Builder builder, ReactorLoadBalancerExchangeFilterFunction loadBalancing,
            GatewayProperties properties, GatewayMetrics metrics) {
        // no http.client.requests observation: switchboard_gateway_scheduler_seconds times every call
        this.connectors = new EventLoopLocal<>(() -> LoopConnector.over(connectionPool(properties)), LoopConnector::dispose);
        ClientHttpConnector onCurrentLoop = (method, uri, request) -> connectors.onCurrentLoop().connector().connect(method,
                uri, request);
        this.client = builder.clone().observationRegistry(ObservationRegistry.NOOP)
                .clientConnector(onCurrentLoop)
                .baseUrl("http://" + MetadataKeys.SCHEDULER_SERVICE).filter(loadBalancing).build();
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
        connectors.dispose();
    }

    /** One event loop's connections to the scheduler. */
    private record LoopConnector(ConnectionProvider pool, ReactorClientHttpConnector connector) {
        static LoopConnector over(ConnectionProvider pool) {
            return new LoopConnector(pool, new ReactorClientHttpConnector(HttpClient.create(pool)));
        }

        void dispose() {
            pool.dispose();
        }
    }

    /**
     * Asks for a decision. A scheduler rejection (its OpenAI error, e.g. 404, 429 with Retry-After,
     * 503) becomes an {@link InvalidRequestException} for the client; a scheduler that cannot be
     * reached or fails without an answer becomes a {@link SchedulerUnavailableException}.
     */
    public Mono<ScheduleDecision> schedule(ScheduleRequest request) {
        long start = System.nanoTime();
        return client.post().uri("/v1/schedule")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(request)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(ScheduleDecision.class)
                        : rejection(response))
                .timeout(properties.schedulerTimeout())
                .onErrorMap(e -> !(e instanceof InvalidRequestException),
                        e -> new SchedulerUnavailableException("the scheduler could not be asked: " + e, e))
                .doOnSuccess(d -> metrics.schedulerCalls("decided").record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
                .doOnError(e -> metrics.schedulerCalls(e instanceof InvalidRequestException ? "rejected" : "unavailable")
                        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    /** Sends a batch of lease completions. */
    public Mono<Void> complete(List<LeaseCompletion> completions) {
        return client.post().uri("/v1/leases/complete")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(completions)
                .retrieve()
                .toBodilessEntity()
                .then();
    }

    /** Models served by the fleet, in the OpenAI list shape. */
    public Mono<Map<String, Object>> models() {
        return client.get().uri("/v1/models").retrieve()
                .bodyToMono(new org.springframework.core.ParameterizedTypeReference<Map<String, Object>>() { })
                .timeout(properties.schedulerTimeout())
                .onErrorMap(e -> !(e instanceof InvalidRequestException),
                        e -> unavailable("The scheduler could not list models: " + e.getMessage()));
    }

    private static Mono<ScheduleDecision> rejection(ClientResponse response) {
        HttpStatusCode status = response.statusCode();
        String retryAfter = response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        return response.bodyToMono(ApiError.Body.class)
                .onErrorResume(e -> Mono.empty())
                .switchIfEmpty(Mono.defer(() -> status.is5xxServerError()
                        ? Mono.error(new SchedulerUnavailableException("the scheduler failed with " + status.value(), null))
                        : Mono.just(new ApiError("The scheduler refused the request with status " + status.value() + ".",
                                ApiError.typeForStatus(status.value()), null, null).body())))
                .flatMap(body -> Mono.error(new InvalidRequestException(status.value(), body.error(), retryAfter)));
    }

    private static InvalidRequestException unavailable(String message) {
        return new InvalidRequestException(503, new ApiError(message, ApiError.UNAVAILABLE, null, "scheduler_unavailable"));
    }
}
