package dev.switchboard.adapter.proxy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.adapter.EngineClients;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.proxy.pd.PdRouter;
import dev.switchboard.contract.SwitchboardHeaders;
import dev.switchboard.contract.wire.AdapterEvents;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Everything one engine's listener serves. Completion requests that name no prefill endpoint, and
 * {@code GET /v1/models} and {@code /health}, are relayed to the local engine by {@link EngineRelay}
 * with bodies streaming in both directions (no buffering, so SSE tokens reach the gateway as the engine
 * writes them). A completion request that names a prefill endpoint ({@code x-switchboard-prefill}) takes
 * the disaggregated path ({@link PdRouter}), and {@code GET /switchboard/v1/events} serves the endpoint's
 * event stream; both run on WebFlux functional routes. Switchboard's internal headers are consumed here
 * and never reach an engine; the gateway's request id is passed on as {@code X-Request-Id}, which vLLM
 * and SGLang both honour. Every POST counts as in flight for the engine until its response is fully
 * written or the client is gone.
 */
public final class EngineProxy implements BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> {
    private static final Set<String> RELAYED_POSTS = Set.of("/v1/chat/completions", "/v1/completions");
    private static final Set<String> RELAYED_GETS = Set.of("/v1/models", "/health");
    /** Hop-by-hop headers (RFC 9110 section 7.6.1) are not forwarded; looked up case-insensitively, per header of every request. */
    private static final Set<String> HOP_BY_HOP = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        HOP_BY_HOP.addAll(List.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                "transfer-encoding", "upgrade", "host"));
    }

    private final EngineEndpoint endpoint;
    private final EngineRelay relay;
    private final ReactorHttpHandlerAdapter routes;

    public EngineProxy(EngineEndpoint endpoint, EngineClients clients, PdRouter pd) {
        this.endpoint = endpoint;
        this.relay = new EngineRelay(endpoint, clients.relay());
        HandlerFunction<ServerResponse> disaggregated =
                request -> pd.serve(request, request.headers().firstHeader(SwitchboardHeaders.PREFILL));
        RouterFunction<ServerResponse> functions = RouterFunctions.route()
                .POST("/v1/chat/completions", disaggregated)
                .POST("/v1/completions", disaggregated)
                .GET(AdapterEvents.PATH, request -> ServerResponse.ok()
                        .contentType(MediaType.TEXT_EVENT_STREAM)
                        .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                        .body(BodyInserters.fromDataBuffers(endpoint.events().map(DefaultDataBufferFactory.sharedInstance::wrap))))
                .build();
        this.routes = new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(functions, HandlerStrategies.withDefaults()));
    }

    @Override
    public Mono<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        boolean post = HttpMethod.POST.equals(request.method());
        String path = pathOf(request.uri());
        boolean relayed = post ? RELAYED_POSTS.contains(path) && !namesPrefill(request)
                : HttpMethod.GET.equals(request.method()) && RELAYED_GETS.contains(path);
        Mono<Void> handled = relayed ? relay.relay(request, response) : routes.apply(request, response);
        if (!post) {
            return handled;
        }
        endpoint.requestStarted();
        return handled.doFinally(signal -> endpoint.requestEnded());
    }

    private static boolean namesPrefill(HttpServerRequest request) {
        String prefill = request.requestHeaders().get(SwitchboardHeaders.PREFILL);
        return prefill != null && !prefill.isBlank();
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** Whether a client's request header is passed to the engine: not hop-by-hop, not one of Switchboard's own. */
    static boolean forwardsRequestHeader(String name) {
        return !SwitchboardHeaders.isInternal(name) && forwardsResponseHeader(name);
    }

    /** Whether an engine's response header is passed to the client: not hop-by-hop. */
    static boolean forwardsResponseHeader(String name) {
        return !HOP_BY_HOP.contains(name);
    }

    /** {@link #copyRequestHeaders(HttpHeaders, HttpHeaders)} for the relay's Netty headers. */
    static void copyRequestHeaders(io.netty.handler.codec.http.HttpHeaders in, io.netty.handler.codec.http.HttpHeaders out) {
        for (Map.Entry<String, String> header : in) {
            if (forwardsRequestHeader(header.getKey())) {
                out.add(header.getKey(), header.getValue());
            }
        }
        String requestId = in.get(SwitchboardHeaders.REQUEST_ID);
        if (requestId != null) {
            out.set("X-Request-Id", requestId);
        }
    }

    /** {@link #copyResponseHeaders(HttpHeaders, HttpHeaders)} for the relay's Netty headers. */
    static void copyResponseHeaders(io.netty.handler.codec.http.HttpHeaders in, io.netty.handler.codec.http.HttpHeaders out) {
        for (Map.Entry<String, String> header : in) {
            if (forwardsResponseHeader(header.getKey())) {
                out.add(header.getKey(), header.getValue());
            }
        }
    }

    /** Copies the headers an engine should see: no hop-by-hop, no internal ones; the gateway's request id as {@code X-Request-Id}. */
    public static void copyRequestHeaders(HttpHeaders in, HttpHeaders out) {
        in.forEach((name, values) -> {
            if (forwardsRequestHeader(name)) {
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
            if (forwardsResponseHeader(name)) {
                out.addAll(name, values);
            }
        });
    }
}
