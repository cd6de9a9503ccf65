package dev.switchboard.adapter.proxy;

import java.net.URI;
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

import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.proxy.pd.PdRouter;
import dev.switchboard.contract.SwitchboardHeaders;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.ApiError;
import reactor.core.publisher.Mono;

/**
 * The routes of one engine's listener. Client requests are relayed to the local engine with bodies
 * streaming in both directions (no buffering, so SSE tokens reach the gateway as the engine writes
 * them); Switchboard's internal headers are consumed here and never reach the engine; the gateway's
 * request id is passed on as {@code X-Request-Id}, which vLLM and SGLang both honour. A request that
 * names a prefill endpoint ({@code x-switchboard-prefill}) takes the disaggregated path
 * ({@link PdRouter}). {@code GET /switchboard/v1/events} serves the endpoint's event stream.
 */
public final class EngineProxy {
    /** Hop-by-hop headers (RFC 9110 section 7.6.1) are not forwarded. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host");

    private final EngineEndpoint endpoint;
    private final WebClient client;
    private final PdRouter pd;

    public EngineProxy(EngineEndpoint endpoint, WebClient client, PdRouter pd) {
        this.endpoint = endpoint;
        this.client = client;
        this.pd = pd;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST("/v1/chat/completions", this::serve)
                .POST("/v1/completions", this::serve)
                .GET("/v1/models", this::forward)
                .GET("/health", this::forward)
                .GET(AdapterEvents.PATH, this::events)
                .build();
    }

    private Mono<ServerResponse> serve(ServerRequest request) {
        String prefill = request.headers().firstHeader(SwitchboardHeaders.PREFILL);
        if (prefill == null || prefill.isBlank()) {
            return forward(request);
        }
        return pd.serve(request, prefill);
    }

    private Mono<ServerResponse> events(ServerRequest request) {
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .body(BodyInserters.fromServerSentEvents(endpoint.events()));
    }

    private Mono<ServerResponse> forward(ServerRequest request) {
        String query = request.uri().getRawQuery();
        String uri = endpoint.config().baseUrl() + request.path() + (query == null ? "" : "?" + query);
        return client.method(request.method())
                .uri(URI.create(uri)) // a ready URI skips URI-template expansion on the hot path
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
                        .bodyValue(new ApiError("Engine '" + endpoint.id() + "' at " + endpoint.config().engineUrl()
                                + " is unreachable: " + e.getMostSpecificCause().getMessage(), ApiError.SERVER_ERROR, null,
                                "engine_unreachable").body()));
    }

    /** Copies the headers an engine should see: no hop-by-hop, no internal ones; the gateway's request id as {@code X-Request-Id}. */
    public static void copyRequestHeaders(HttpHeaders in, HttpHeaders out) {
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

    /** Copies an engine's response headers, without hop-by-hop ones. */
    public static void copyResponseHeaders(HttpHeaders in, HttpHeaders out) {
        in.forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                out.addAll(name, values);
            }
        });
    }
}
