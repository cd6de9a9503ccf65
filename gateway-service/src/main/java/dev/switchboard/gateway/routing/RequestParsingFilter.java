package dev.switchboard.gateway.routing;

import java.time.Duration;
import java.util.UUID;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.contract.SwitchboardHeaders;
import dev.switchboard.contract.tenants.Tenant;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.gateway.GatewayProperties;
import dev.switchboard.gateway.auth.ApiKeyAuthFilter;
import dev.switchboard.gateway.lb.LeaseReporter;
import dev.switchboard.gateway.lb.LeaseTracker;
import dev.switchboard.gateway.lb.LocalFallback;
import dev.switchboard.gateway.observe.GatewayMetrics;
import dev.switchboard.gateway.observe.ObservedResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs first on every OpenAI route, before retries and load balancing: drops client-sent
 * {@code x-switchboard-*} headers, reads the body once (bounded by {@code max-body-size}), parses
 * what routing needs into a {@link RequestContext}, and hands the original bytes on for forwarding
 * (replayable, so a retry resends the same bytes without reading or parsing them again). Wraps the
 * response in an {@link ObservedResponse} and records the request's metrics when it ends.
 */
@Component
public class RequestParsingFilter implements GlobalFilter, Ordered {
    /** Before route filters (the Retry filter re-runs everything after itself) and load balancing. */
    public static final int ORDER = -100;

    private final OpenAiRequestParser parser;
    private final long maxBodyBytes;
    private final GatewayMetrics metrics;

    private final Duration idleTimeout;
    private final LeaseReporter reporter;
    private final LocalFallback fallback;

    public RequestParsingFilter(GatewayProperties properties, GatewayMetrics metrics, LeaseReporter reporter,
            LocalFallback fallback) {
        this.parser = new OpenAiRequestParser(properties.promptBlockTokens());
        this.maxBodyBytes = properties.maxBodySize().toBytes();
        this.metrics = metrics;
        this.idleTimeout = properties.idleStreamTimeout();
        this.reporter = reporter;
        this.fallback = fallback;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long start = System.nanoTime();
        ServerHttpRequest request = exchange.getRequest();
        long declaredLength = request.getHeaders().getContentLength();
        if (declaredLength > maxBodyBytes) {
            return Mono.error(tooLarge());
        }
        Tenant tenant = exchange.getAttribute(ApiKeyAuthFilter.TENANT_ATTRIBUTE);
        if (tenant == null) {
            return Mono.error(new IllegalStateException("ApiKeyAuthFilter did not run"));
        }
        boolean chat = request.getPath().value().endsWith("/chat/completions");
        String requestId = UUID.randomUUID().toString();
        return DataBufferUtils.join(request.getBody(), (int) maxBodyBytes)
                .map(RequestParsingFilter::drain)
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge())
                .flatMap(body -> {
                    RequestContext context = new RequestContext(parser.parse(requestId, body, chat), tenant, start);
                    exchange.getAttributes().put(RequestContext.ATTRIBUTE, context);
                    ServerHttpRequest forwarded = new ServerHttpRequestDecorator(request) {
                        private final HttpHeaders headers = withoutInternalHeaders(request.getHeaders(), body.length);

                        @Override
                        public HttpHeaders getHeaders() {
                            return headers;
                        }

                        @Override
                        public Flux<DataBuffer> getBody() {
                            return Flux.defer(() -> Flux.just(exchange.getResponse().bufferFactory().wrap(body)));
                        }
                    };
                    var observed = new ObservedResponse(exchange.getResponse(), context::observer,
                            () -> exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR), idleTimeout);
                    return chain.filter(exchange.mutate().request(forwarded).response(observed).build())
                            .doFinally(signal -> {
                                var status = exchange.getResponse().getStatusCode();
                                boolean cancelled = signal == reactor.core.publisher.SignalType.CANCEL;
                                int code = cancelled ? 499 : status == null ? 500 : status.value();
                                LeaseCompletion.Outcome outcome = cancelled ? LeaseCompletion.Outcome.DISCARDED
                                        : code >= 500 || signal == reactor.core.publisher.SignalType.ON_ERROR
                                                ? LeaseCompletion.Outcome.FAILED : LeaseCompletion.Outcome.SUCCESS;
                                LeaseTracker.closeAll(exchange.getAttributes(), reporter, fallback, outcome, code);
                                // a model nobody serves is not a metric label (clients could create series at will)
                                String model = code == 404 ? "unknown" : context.routing().model();
                                metrics.request(tenant.id(), model, code, context.routing().stream(),
                                        System.nanoTime() - start, context.observer());
                            });
                });
    }

    private static HttpHeaders withoutInternalHeaders(HttpHeaders in, int contentLength) {
        HttpHeaders out = new HttpHeaders();
        in.forEach((name, values) -> {
            if (!SwitchboardHeaders.isInternal(name)) {
                out.addAll(name, values);
            }
        });
        out.remove(HttpHeaders.TRANSFER_ENCODING);
        out.setContentLength(contentLength);
        return out;
    }

    private InvalidRequestException tooLarge() {
        return new InvalidRequestException(413, new ApiError("Request body exceeds the gateway's limit of " + maxBodyBytes
                + " bytes.", ApiError.INVALID_REQUEST, null, "request_too_large"));
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
