package dev.switchboard.adapter.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * An engine stand-in for tests: a real HTTP server on a free loopback port whose answers are scripted
 * per method and path. It records every request (unless made with {@link #withoutRecording}, for load
 * runs) and counts requests whose connection closed before the answer was complete (how an engine notices
 * an abandoned request).
 */
public final class FakeEngine implements AutoCloseable {

    /** A received request. */
    public record Seen(String method, String path, HttpHeaders headers, String body) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** A scripted answer. */
    public interface Reply {
        Mono<Void> write(HttpServerResponse response);

        static Reply json(int status, String body) {
            return text(status, "application/json", body);
        }

        static Reply text(int status, String contentType, String body) {
            return r -> r.status(status).header("Content-Type", contentType).sendString(Mono.just(body)).then();
        }

        static Reply status(int status) {
            return r -> r.status(status).send().then();
        }

        /** An SSE answer: each chunk as a {@code data:} frame, {@code gap} apart, then {@code [DONE]}. */
        static Reply sse(List<String> chunks, Duration gap) {
            return r -> r.status(200).header("Content-Type", "text/event-stream")
                    .sendString(Flux.concat(Flux.fromIterable(chunks).delayElements(gap).map(c -> "data: " + c + "\n\n"),
                            Mono.just("data: [DONE]\n\n")))
                    .then();
        }

        /** Never answers (until the client goes away). */
        static Reply hang() {
            return r -> Mono.never();
        }

        /** Answers after a delay. */
        static Reply delayed(Duration delay, Reply then) {
            return r -> Mono.delay(delay).then(then.write(r));
        }
    }

    private final Map<String, Function<Seen, Reply>> routes = new ConcurrentHashMap<>();
    /** Appending is O(1): a load run sends tens of thousands of requests. */
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final boolean recording;
    private final AtomicInteger abandoned = new AtomicInteger();
    private final DisposableServer server;

    public FakeEngine() {
        this(true);
    }

    /**
     * An engine that keeps no record of its requests: for load runs, where a growing record would be the
     * heap's main long-lived content and lengthen every garbage collection of the process it shares.
     */
    public static FakeEngine withoutRecording() {
        return new FakeEngine(false);
    }

    private FakeEngine(boolean recording) {
        this.recording = recording;
        server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .flatMap(body -> {
                            String path = request.fullPath();
                            Seen s = new Seen(request.method().name(), path, request.requestHeaders(), body);
                            if (recording) {
                                seen.add(s);
                            }
                            Function<Seen, Reply> route = routes.get(request.method().name() + " " + path);
                            Reply reply = route == null ? Reply.status(404) : route.apply(s);
                            boolean[] finished = {false};
                            response.withConnection(c -> c.onDispose(() -> {
                                if (!finished[0]) {
                                    abandoned.incrementAndGet();
                                }
                            }));
                            return reply.write(response).doOnSuccess(v -> finished[0] = true);
                        }))
                .bindNow(Duration.ofSeconds(5));
    }

    /** Scripts the answer to {@code method path} (path without query), computed from the request. */
    public FakeEngine answer(String method, String path, Function<Seen, Reply> reply) {
        routes.put(method + " " + path, reply);
        return this;
    }

    /** Scripts a fixed answer to {@code method path}. */
    public FakeEngine on(String method, String path, Reply reply) {
        return answer(method, path, s -> reply);
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public List<Seen> seen(String path) {
        return seen.stream().filter(s -> s.path().equals(path)).toList();
    }

    /** Requests whose connection closed before their answer was complete. */
    public int abandoned() {
        return abandoned.get();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }

    /** Waits (bounded) until {@code condition} holds. */
    public static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
