package dev.switchboard.gateway.routing;

import java.util.UUID;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
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
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.gateway.GatewayProperties;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs before load balancing on every OpenAI route: drops client-sent {@code x-switchboard-*}
 * headers, reads the body once (bounded by {@code max-body-size}), parses what routing needs into a
 * {@link RoutingRequest} exchange attribute, and hands the original bytes on for forwarding.
 */
@Component
public class RequestParsingFilter implements GlobalFilter, Ordered {
    /** Before {@link ReactiveLoadBalancerClientFilter}, which reads the parsed request. */
    public static final int ORDER = ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER - 100;

    private final OpenAiRequestParser parser;
    private final long maxBodyBytes;

    public RequestParsingFilter(GatewayProperties properties) {
        this.parser = new OpenAiRequestParser(properties.promptBlockTokens());
        this.maxBodyBytes = properties.maxBodySize().toBytes();
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        long declaredLength = request.getHeaders().getContentLength();
        if (declaredLength > maxBodyBytes) {
            return Mono.error(tooLarge());
        }
        boolean chat = request.getPath().value().endsWith("/chat/completions");
        String requestId = UUID.randomUUID().toString();
        return DataBufferUtils.join(request.getBody(), (int) maxBodyBytes)
                .map(RequestParsingFilter::drain)
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge())
                .flatMap(body -> {
                    RoutingRequest routing = parser.parse(requestId, body, chat);
                    exchange.getAttributes().put(RoutingRequest.ATTRIBUTE, routing);
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
                    return chain.filter(exchange.mutate().request(forwarded).build());
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
