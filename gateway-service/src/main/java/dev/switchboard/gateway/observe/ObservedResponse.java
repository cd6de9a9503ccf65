package dev.switchboard.gateway.observe;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The client response, with every relayed buffer shown to the current attempt's
 * {@link StreamObserver} on its way out (buffers pass through untouched: nothing is held back or
 * copied into the response twice). For SSE answers it also enforces the idle-stream timeout and turns
 * a failure after the first byte into a final error event plus {@code [DONE]}, never a silent
 * truncation.
 *
 * <p>It must wrap the response before Spring Cloud Gateway's {@code NettyWriteResponseFilter} sees
 * the exchange (that filter writes through the exchange it was given), which is before load
 * balancing; so the observer is looked up when the body is written, not fixed at construction.
 */
public final class ObservedResponse extends ServerHttpResponseDecorator {
    private final Supplier<StreamObserver> currentObserver;
    private final Duration idleTimeout;

    public ObservedResponse(ServerHttpResponse delegate, Supplier<StreamObserver> currentObserver, Duration idleTimeout) {
        super(delegate);
        this.currentObserver = currentObserver;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return super.writeWith(observe(Flux.from(body)));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        // SSE: each inner publisher is flushed as it completes; observe inside each
        return super.writeAndFlushWith(Flux.from(body).map(inner -> observe(Flux.from(inner))));
    }

    private Flux<DataBuffer> observe(Flux<? extends DataBuffer> body) {
        StreamObserver observer = currentObserver.get();
        if (observer == null) {
            return Flux.from(body); // an error page or a response without a decision
        }
        Flux<DataBuffer> observed = Flux.<DataBuffer>from(body).doOnNext(b -> show(observer, b)).doOnComplete(observer::onComplete);
        if (!isEventStream()) {
            return observed;
        }
        return observed.timeout(idleTimeout)
                .onErrorResume(e -> Flux.just(errorEvent(e), wrap("data: [DONE]\n\n")));
    }

    private boolean isEventStream() {
        var type = getHeaders().getContentType();
        return type != null && "text".equals(type.getType()) && "event-stream".equals(type.getSubtype());
    }

    private static void show(StreamObserver observer, DataBuffer buffer) {
        long now = System.nanoTime();
        try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
            while (views.hasNext()) {
                observer.onBytes(views.next(), now);
            }
        }
    }

    private DataBuffer errorEvent(Throwable e) {
        String message = e instanceof TimeoutException
                ? "The engine stopped sending tokens for " + idleTimeout.toSeconds() + " s; the stream was ended."
                : "The engine connection failed mid-stream; the answer is incomplete.";
        String code = e instanceof TimeoutException ? "upstream_idle_timeout" : "upstream_stream_failed";
        return wrap("data: {\"error\":{\"message\":\"" + message + "\",\"type\":\"server_error\",\"param\":null,\"code\":\""
                + code + "\"}}\n\n");
    }

    private DataBuffer wrap(String text) {
        return bufferFactory().wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
