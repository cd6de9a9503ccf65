package dev.switchboard.adapter.proxy;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.support.netty.EventLoopLocal;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The plain data path of one engine: a completion request that names no prefill endpoint is relayed to
 * the engine on Reactor Netty directly, the way Reactor Netty's own proxy examples do, with the request
 * and response bodies passed through buffer by buffer (retained, never copied or aggregated) and each
 * burst of engine output flushed as it arrives. This is the path of nearly every request, so it skips
 * the WebFlux layers (routing, {@code ServerRequest}/{@code WebClient} wrappers, codecs) that cost more
 * CPU than the relaying itself; the disaggregated path, which needs them, stays in {@link EngineProxy}.
 *
 * <p>The engine's status, headers (minus hop-by-hop ones) and body reach the client unchanged. A failure
 * before the engine answered (refused connection, connection closed early) becomes a 502 in the OpenAI
 * error format; after the answer started, the client's connection is closed, so the gateway sees a
 * broken stream rather than a silently short one. A client that goes away cancels the engine request,
 * which closes its connection, the signal vLLM and SGLang use to abort a request.
 */
final class EngineRelay {
    private final EngineEndpoint endpoint;
    private final EventLoopLocal<HttpClient> clients;
    private final String baseUrl;

    EngineRelay(EngineEndpoint endpoint, EventLoopLocal<HttpClient> clients) {
        this.endpoint = endpoint;
        this.clients = clients;
        this.baseUrl = endpoint.config().baseUrl();
    }

    Mono<Void> relay(HttpServerRequest in, HttpServerResponse out) {
        // the engine connection comes from the pool of the event loop serving this request: no buffer crosses threads
        EventLoop loop = in instanceof Connection c ? c.channel().eventLoop() : null;
        return clients.on(loop).headers(headers -> EngineProxy.copyRequestHeaders(in.requestHeaders(), headers))
                .request(in.method())
                .uri(baseUrl + in.uri())
                .send(in.receive().retain())
                .response((answer, body) -> {
                    out.status(answer.status());
                    EngineProxy.copyResponseHeaders(answer.responseHeaders(), out.responseHeaders());
                    return out.send(body.retain());
                })
                .then()
                .onErrorResume(e -> !out.hasSentHeaders(), e -> unreachable(out, e));
    }

    private Mono<Void> unreachable(HttpServerResponse out, Throwable e) {
        String message = "Engine '" + endpoint.id() + "' at " + endpoint.config().engineUrl() + " is unreachable: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        byte[] body = AdapterJson.MAPPER.writeValueAsBytes(
                new ApiError(message, ApiError.SERVER_ERROR, null, "engine_unreachable").body());
        HttpHeaders headers = out.responseHeaders();
        headers.clear();
        headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return out.status(HttpResponseStatus.BAD_GATEWAY).sendByteArray(Mono.just(body)).then();
    }
}
