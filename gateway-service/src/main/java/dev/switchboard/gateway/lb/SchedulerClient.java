package dev.switchboard.gateway.lb;

import java.util.List;
import java.util.Map;

import org.springframework.cloud.client.loadbalancer.reactive.ReactorLoadBalancerExchangeFilterFunction;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.gateway.GatewayProperties;
import dev.switchboard.gateway.routing.InvalidRequestException;
import reactor.core.publisher.Mono;

/**
 * HTTP client of the scheduler service. Scheduler instances come from discovery
 * ({@value MetadataKeys#SCHEDULER_SERVICE}) through Spring Cloud LoadBalancer; connections are
 * pooled and kept alive by Reactor Netty.
 */
@Component
public class SchedulerClient {
    private final WebClient client;
    private final GatewayProperties properties;

    public SchedulerClient(WebClient.Builder builder, ReactorLoadBalancerExchangeFilterFunction loadBalancing,
            GatewayProperties properties) {
        this.client = builder.clone().baseUrl("http://" + MetadataKeys.SCHEDULER_SERVICE).filter(loadBalancing).build();
        this.properties = properties;
    }

    /** Asks for a decision. Scheduler rejections become {@link InvalidRequestException} with the scheduler's error. */
    public Mono<ScheduleDecision> schedule(ScheduleRequest request) {
        return client.post().uri("/v1/schedule")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(request)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(ScheduleDecision.class)
                        : rejection(response))
                .timeout(properties.schedulerTimeout())
                .onErrorMap(WebClientRequestException.class, e -> unavailable("The scheduler is unreachable: "
                        + e.getMostSpecificCause().getMessage()))
                .onErrorMap(java.util.concurrent.TimeoutException.class,
                        e -> unavailable("The scheduler did not answer within " + properties.schedulerTimeout() + "."));
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
        return response.bodyToMono(ApiError.Body.class)
                .onErrorResume(e -> Mono.empty())
                .defaultIfEmpty(new ApiError("The scheduler refused the request with status " + status.value() + ".",
                        ApiError.typeForStatus(status.value()), null, null).body())
                .flatMap(body -> Mono.error(new InvalidRequestException(status.value(), body.error())));
    }

    private static InvalidRequestException unavailable(String message) {
        return new InvalidRequestException(503, new ApiError(message, ApiError.UNAVAILABLE, null, "scheduler_unavailable"));
    }
}
