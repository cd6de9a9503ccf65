package dev.switchboard.gateway.observe;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * The client response, with every relayed buffer shown to the current attempt's
 * {@link StreamObserver} on its way out (buffers pass through untouched: nothing is held back or
 * copied into the response twice). For SSE answers it also enforces the idle-stream timeout and turns
 * a failure after the first byte into a final error event plus {@code [DONE]}, never a silent
 * truncation.
 *
 * <p>It must wrap the response before Spring Cloud Gateway's {@code NettyWriteResponseFilter} sees
 * the exchange (that filter writes through the exchange it was given), which is before load
 * balancing; so the observer and the engine connection are looked up when the body is written, not
 * fixed at construction.
 *
 * <p>That filter hands an SSE body over as one single-buffer publisher per upstream read
 * ({@code writeAndFlushWith}). Upstream errors and gaps happen between those publishers, so the stream
 * is handled as one flux of buffers here, and written with {@code writeWith}: Reactor Netty flushes
 * whenever it has written everything available, so each token still leaves at once, and a burst of
 * buffers shares one flush instead of one each. The idle timeout is a read-idle handler on the engine
 * connection (Reactor Netty's {@code onReadIdle}, run by the connection's own event loop), not a timer
 * rescheduled per buffer.
 */
public final class ObservedResponse extends ServerHttpResponseDecorator {
    private final Supplier<StreamObserver> currentObserver;
    private final Supplier<Connection> currentUpstream;
    private final Duration idleTimeout;

    /**
     * @param currentObserver the observer of the current attempt, or {@code null} before a decision
     * @param currentUpstream the engine connection of the current attempt, or {@code null} before one answered
     * @param idleTimeout     longest gap between two reads of an SSE answer before the stream is ended
     */
    public ObservedResponse(ServerHttpResponse delegate, Supplier<StreamObserver> currentObserver,
            Supplier<Connection> currentUpstream, Duration idleTimeout) {
        super(delegate);
        this.currentObserver = currentObserver;
        this.currentUpstream = currentUpstream;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return super.writeWith(observe(Flux.from(body)));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        // one flux of buffers; concatMap takes a single-buffer Flux.just on its scalar fast path
        return super.writeWith(observe(Flux.from(body).concatMap(inner -> inner)));
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
        Connection upstream = currentUpstream.get();
        AtomicBoolean idled = new AtomicBoolean();
        if (upstream != null) {
            upstream.onReadIdle(idleTimeout.toMillis(), () -> {
                idled.set(true);
                upstream.dispose(); // the engine's answer fails below, and the engine sees its request abandoned
            });
        }
        // a disposed connection may end the engine's answer as complete or as failed: after an idle timeout
        // both are the timeout; any other failure is a broken stream
        return observed
                .concatWith(Flux.defer(() -> idled.get() ? errorEnd(true) : Flux.empty()))
                .onErrorResume(e -> errorEnd(idled.get()));
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

    /** The final error event and {@code [DONE]}. */
    private Flux<DataBuffer> errorEnd(boolean idled) {
        return Flux.just(errorEvent(idled), wrap("data: [DONE]\n\n"));
    }

    private DataBuffer errorEvent(boolean idled) {
        String message = idled
                ? "The engine stopped sending tokens for " + idleTimeout.toSeconds() + " s; the stream was ended."
                : "The engine connection failed mid-stream; the answer is incomplete.";
        String code = idled ? "upstream_idle_timeout" : "upstream_stream_failed";
        return wrap("data: {\"error\":{\"message\":\"" + message + "\",\"type\":\"server_error\",\"param\":null,\"code\":\""
                + code + "\"}}\n\n");
    }

    private DataBuffer wrap(String text) {
        return bufferFactory().wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
