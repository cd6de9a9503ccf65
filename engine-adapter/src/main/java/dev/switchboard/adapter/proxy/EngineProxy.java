package dev.switchboard.adapter.proxy;

import java.util.Locale;
import java.util.Set;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.SwitchboardHeaders;
import dev.switchboard.contract.wire.ApiError;
import reactor.core.publisher.Mono;

/**
 * Relays client requests to one local engine. Bodies stream through in both directions (no
 * buffering, so SSE tokens reach the gateway as the engine writes them); Switchboard's internal
 * headers are consumed here and never reach the engine; the gateway's request id is passed on as
 * {@code X-Request-Id}, which vLLM and SGLang both honour.
 */
public final class EngineProxy {
    /** Hop-by-hop headers (RFC 9110 section 7.6.1) are not forwarded. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host");

    private final EngineDescriptor engine;
    private final WebClient client;

    public EngineProxy(EngineDescriptor engine, WebClient client) {
        this.engine = engine;
        this.client = client;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST("/v1/chat/completions", this::forward)
                .POST("/v1/completions", this::forward)
                .GET("/v1/models", this::forward)
                .GET("/health", this::forward)
                .build();
    }

    private Mono<ServerResponse> forward(ServerRequest request) {
        String query = request.uri().getRawQuery();
        String uri = engine.engineUrl().toString().replaceAll("/+$", "") + request.path()
                + (query == null ? "" : "?" + query);
        return client.method(request.method())
                .uri(uri)
                .headers(out -> copyRequestHeaders(request.headers().asHttpHeaders(), out))
                .body(BodyInserters.fromDataBuffers(request.bodyToFlux(DataBuffer.class)))
                .retrieve()
                // every engine status is relayed as-is; errors are the engine's to describe
                .onStatus(status -> true, response -> Mono.empty())
                .toEntityFlux(DataBuffer.class)
                .flatMap(entity -> ServerResponse.status(entity.getStatusCode())
                        .headers(out -> copyResponseHeaders(entity.getHeaders(), out))
                        .body(BodyInserters.fromDataBuffers(entity.getBody())))
                .onErrorResume(WebClientRequestException.class, e -> ServerResponse.status(HttpStatus.BAD_GATEWAY)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(new ApiError("Engine '" + engine.endpointId() + "' at " + engine.engineUrl()
                                + " is unreachable: " + e.getMostSpecificCause().getMessage(), ApiError.SERVER_ERROR, null,
                                "engine_unreachable").body()));
    }

    static void copyRequestHeaders(HttpHeaders in, HttpHeaders out) {
        in.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !SwitchboardHeaders.isInternal(lower)) {
                out.addAll(name, values);
            }
        });
        String requestId = in.getFirst(SwitchboardHeaders.REQUEST_ID);
        if (requestId != null) {
            out.set("X-Request-Id", requestId);
        }
    }

    static void copyResponseHeaders(HttpHeaders in, HttpHeaders out) {
        in.forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                out.addAll(name, values);
            }
        });
    }
}
