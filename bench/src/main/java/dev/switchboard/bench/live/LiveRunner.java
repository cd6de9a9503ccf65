package dev.switchboard.bench.live;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.function.Tuple2;
import reactor.util.function.Tuples;

import dev.switchboard.bench.report.RequestResult;
import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.report.RunStats;
import dev.switchboard.bench.workload.SyntheticText;
import dev.switchboard.bench.workload.TraceRequest;
import dev.switchboard.bench.workload.Workload;
import dev.switchboard.contract.prompt.ChatMessage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Open-loop HTTP load: sends every request of a workload at its arrival time (divided by the speed
 * factor) as a streaming chat completion, whether or not earlier ones have finished, and measures
 * each from its SSE stream (see {@link StreamObserver}).
 *
 * <p>Uses Reactor Netty's HTTP/1.1 client: the body's bytes reach the {@link StreamObserver} on the
 * connection's event loop as they arrive, which is where the timestamps are taken. HTTP/1.1 because that is
 * what OpenAI clients and engines speak (one connection per stream, as in production). The load generator
 * shares the machine with what it measures, so its cost counts: the JDK's {@code HttpClient}, used before,
 * took 1.37 ms of CPU per streamed request (0.68 of a core at 500 req/s, measured from {@code /proc}), with
 * several thread hand-offs per response. The only blocking thread is the dispatcher; a semaphore bounds
 * requests in flight, and the connection pool holds as many connections.
 *
 * <p>A render thread builds requests (prompt text, JSON) up to {@value #RENDER_AHEAD} ahead of the
 * dispatcher, so rendering does not delay a send. If the in-flight bound is reached, sending waits; the
 * wait is reported as send lag, and latencies are measured from the actual send.
 */
public final class LiveRunner implements AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** Requests rendered ahead of the dispatcher: covers bursts while bounding memory. */
    private static final int RENDER_AHEAD = 64;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final LiveConfig config;
    private final SyntheticText text;
    private final ConnectionProvider connections;
    private final HttpClient client;

    /** Receives progress events; called from several threads. */
    public interface Listener {
        /** No-op listener. */
        Listener NONE = new Listener() {
        };

        /** A request was sent; {@code inFlight} are outstanding. */
        default void sent(int inFlight) {
        }

        /** A request finished (successfully or not). */
        default void completed(RequestResult result) {
        }
    }

    /**
     * What a run produced.
     *
     * @param report       the numbers
     * @param errorSamples first error message per error category, for diagnostics
     * @param usageMissing successful requests whose stream had no usage (token counts are chunk counts)
     */
    public record Result(RunReport report, Map<String, String> errorSamples, long usageMissing) {
    }

    /** A runner with its own connections; {@link #close} releases them. */
    public LiveRunner(LiveConfig config, SyntheticText text) {
        this.config = config;
        this.text = text;
        // callers past the in-flight bound wait at the semaphore, never in the pool
        this.connections = ConnectionProvider.builder("bench-live").maxConnections(config.maxInFlight())
                .pendingAcquireMaxCount(-1).maxIdleTime(Duration.ofSeconds(30)).build();
        this.client = HttpClient.create(connections).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
    }

    @Override
    public void close() {
        connections.disposeLater().block(Duration.ofSeconds(5));
    }

    /**
     * Runs {@code workload} and blocks until every sent request has finished.
     *
     * @param workload  what to send
     * @param rateScale the rate scale already applied to the workload (for the report only)
     * @param listener  progress events
     */
    public Result run(Workload workload, double rateScale, Listener listener) throws InterruptedException {
        RunStats stats = new RunStats(config.speed(), config.slo().ttft(), config.slo().itl());
        Semaphore permits = new Semaphore(config.maxInFlight());
        AtomicInteger inFlight = new AtomicInteger();
        List<TraceRequest> requests = workload.requests();
        long maxWallNanos = config.maxWall() == null ? Long.MAX_VALUE : config.maxWall().toNanos();
        BlockingQueue<Prepared> ready = new ArrayBlockingQueue<>(RENDER_AHEAD);
        AtomicReference<RuntimeException> renderFailure = new AtomicReference<>();
        Thread renderer = new Thread(() -> render(requests, maxWallNanos, ready, renderFailure), "live-render");
        renderer.setDaemon(true);
        long firstSend = -1;
        AtomicLong lastEnd = new AtomicLong();
        int sent = 0;
        renderer.start();
        warmUp();
        // start the clock once the first requests are rendered: the trace's first burst must not wait for them
        while (ready.remainingCapacity() > 0 && renderer.isAlive()) {
            Thread.sleep(1);
        }
        long start = System.nanoTime();
        try {
            for (Prepared p = ready.take(); p != Prepared.END; p = ready.take()) {
                long target = start + p.offsetNanos();
                for (long wait = target - System.nanoTime(); wait > 0; wait = target - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("live run interrupted");
                    }
                }
                permits.acquire();
                long sendNanos = System.nanoTime();
                if (firstSend < 0) {
                    firstSend = sendNanos;
                }
                sent++;
                listener.sent(inFlight.incrementAndGet());
                send(p, sendNanos, sendNanos - target, sendNanos - start, result -> {
                    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                    inFlight.decrementAndGet();
                    listener.completed(result);
                    permits.release();
                }, stats);
            }
            if (renderFailure.get() != null) {
                throw renderFailure.get();
            }
        } finally {
            renderer.interrupt();
            // let what was sent finish (each request is bounded by the request timeout)
            permits.acquireUninterruptibly(config.maxInFlight());
            permits.release(config.maxInFlight());
        }
        long wall = firstSend < 0 ? 0 : lastEnd.get() - firstSend;
        RunReport report = stats.report(new RunStats.Labels("live", config.chatUrl().toString(), config.model(),
                workload.name(), null, null, rateScale), requests.size() - sent, wall, null);
        return new Result(report, stats.errorSamples(), stats.usageMissing());
    }

    // One cheap request before the clock starts, so that class loading and the first connection of the
    // HTTP client do not show up as the first requests' send lag. Its outcome does not matter.
    private void warmUp() {
        String chat = config.chatUrl().toString();
        String models = chat.substring(0, chat.length() - "/chat/completions".length()) + "/models";
        try {
            client.headers(h -> {
                if (config.apiKey() != null) {
                    h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + config.apiKey());
                }
            }).get().uri(models).responseSingle((response, body) -> body.then()).block(Duration.ofSeconds(3));
        } catch (RuntimeException e) {
            // a target without /models, or a slow one, is fine: this was only a warm-up
        }
    }

    /** A request rendered ahead of its send time: its JSON body and its {@code Authorization} value, if any. */
    private record Prepared(TraceRequest request, byte[] body, String authorization, long offsetNanos) {
        static final Prepared END = new Prepared(null, null, null, -1);
    }

    // Rendering (synthetic text, JSON) runs ahead on its own thread so that a burst of arrivals at the
    // same instant (Mooncake has one every few seconds) is not serialised behind it.
    private void render(List<TraceRequest> requests, long maxWallNanos, BlockingQueue<Prepared> ready,
            AtomicReference<RuntimeException> failure) {
        try {
            try {
                for (TraceRequest r : requests) {
                    long offset = Math.round(r.arrivalNanos() / config.speed());
                    if (offset >= maxWallNanos) {
                        break;
                    }
                    String key = config.keyOf(r.tenant());
                    ready.put(new Prepared(r, body(r), key == null ? null : "Bearer " + key, offset));
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
            ready.put(Prepared.END);
        } catch (InterruptedException e) {
            // the dispatcher stopped; nothing more to render
        }
    }

    private void send(Prepared p, long sendNanos, long lagNanos, long sentAfterStartNanos,
            java.util.function.Consumer<RequestResult> done, RunStats stats) {
        Exchange exchange = new Exchange(p.request().tenant(), sendNanos, lagNanos, new StreamObserver(JSON, sendNanos));
        client.post().uri(config.chatUrl())
                .send((request, out) -> {
                    request.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                            .header(HttpHeaderNames.ACCEPT, "text/event-stream");
                    if (p.authorization() != null) {
                        request.header(HttpHeaderNames.AUTHORIZATION, p.authorization());
                    }
                    return out.sendByteArray(Mono.just(p.body()));
                })
                .response(exchange::read)
                .then()
                .timeout(config.requestTimeout())
                .subscribe(null, failure -> finish(exchange, () -> exchange.failed(failure), sentAfterStartNanos, done, stats),
                        () -> finish(exchange, exchange::completed, sentAfterStartNanos, done, stats));
    }

    /**
     * Records a finished request and releases its permit whatever happens: Reactor drops an exception thrown in a
     * subscriber's callback, and a request that never released its permit would hang the run at its end.
     */
    private static void finish(Exchange exchange, java.util.function.Supplier<RequestResult> outcome, long sentAfterStartNanos,
            java.util.function.Consumer<RequestResult> done, RunStats stats) {
        RequestResult result;
        String detail;
        try {
            result = outcome.get();
            detail = exchange.detail;
        } catch (RuntimeException e) {
            result = RequestResult.failed(exchange.tenant, "client_error", exchange.lagNanos, System.nanoTime() - exchange.sendNanos);
            detail = e.toString();
        }
        try {
            stats.record(result, detail, sentAfterStartNanos, -1);
        } finally {
            done.accept(result);
        }
    }

    /**
     * One request's answer as it arrives, and what it comes to. The response callbacks run one at a time on the
     * connection's event loop; the result is read after the body has ended, which orders it after them.
     */
    private static final class Exchange {
        final String tenant;
        final long sendNanos;
        final long lagNanos;
        private final StreamObserver observer;
        /** The error category decided from the status line or headers, before the body ended. */
        private String earlyError;
        /** What the error report shows for this request, if it failed. */
        private String detail;

        Exchange(String tenant, long sendNanos, long lagNanos, StreamObserver observer) {
            this.tenant = tenant;
            this.sendNanos = sendNanos;
            this.lagNanos = lagNanos;
            this.observer = observer;
        }

        Mono<Void> read(HttpClientResponse response, ByteBufFlux body) {
            int status = response.status().code();
            if (status / 100 != 2) {
                earlyError = String.valueOf(status);
                return body.aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .doOnNext(text -> detail = status + " " + abbreviate(text)).then();
            }
            String type = response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE, "");
            if (!type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                earlyError = "not_sse";
                detail = "content-type '" + type + "' instead of text/event-stream";
                return Mono.empty();
            }
            return body.doOnNext(bytes -> observer.onBytes(bytes.nioBuffer())).then(Mono.fromRunnable(observer::onComplete));
        }

        RequestResult failed(Throwable failure) {
            if (detail == null) {
                detail = failure.getClass().getSimpleName() + ": " + failure.getMessage();
            }
            return RequestResult.failed(tenant, earlyError != null ? earlyError : category(failure), lagNanos,
                    System.nanoTime() - sendNanos);
        }

        RequestResult completed() {
            if (earlyError != null) {
                return RequestResult.failed(tenant, earlyError, lagNanos, System.nanoTime() - sendNanos);
            }
            RequestResult result = observer.result(tenant, lagNanos, null);
            if (!result.ok()) {
                detail = observer.streamError() != null ? observer.streamError() : "stream ended without [DONE]";
            }
            return result;
        }
    }

    private byte[] body(TraceRequest r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", config.model());
        List<Map<String, String>> messages = r.prompt().render(text).stream()
                .map((ChatMessage m) -> Map.of("role", m.role(), "content", m.content())).toList();
        body.put("messages", messages);
        body.put("max_tokens", r.outputTokens());
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        if (config.ignoreEos()) {
            body.put("ignore_eos", true);
        }
        if (r.sessionId() != null) {
            body.put("user", r.sessionId());
        }
        return JSON.writeValueAsBytes(body);
    }

    static String category(Throwable t) {
        if (t instanceof TimeoutException) {
            return "timeout";
        }
        // Netty's connect failures, refused or timed out, are ConnectExceptions
        if (t instanceof ConnectException) {
            return "connect";
        }
        if (t instanceof IOException) {
            return "io";
        }
        return t.getClass().getSimpleName();
    }

    /**
     * Asks {@code GET /v1/models} for the first served model (used when no {@code --model} is given).
     *
     * @throws IllegalStateException with a message saying what failed
     */
    public static String detectModel(URI modelsUrl, String apiKey) {
        Tuple2<Integer, String> response;
        try {
            response = HttpClient.create().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                    .headers(h -> {
                        if (apiKey != null) {
                            h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
                        }
                    })
                    .get().uri(modelsUrl)
                    .responseSingle((r, body) -> body.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                            .map(text -> Tuples.of(r.status().code(), text)))
                    .block(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot list models at " + modelsUrl + " (" + e.getMessage() + "); pass --model");
        }
        if (response == null || response.getT1() != 200) {
            throw new IllegalStateException("GET " + modelsUrl + " answered "
                    + (response == null ? "nothing" : response.getT1() + " " + abbreviate(response.getT2())) + "; pass --model");
        }
        JsonNode id = JSON.readTree(response.getT2()).path("data").path(0).path("id");
        if (!id.isString() || id.stringValue().isBlank()) {
            throw new IllegalStateException("GET " + modelsUrl + " lists no model; pass --model");
        }
        return id.stringValue();
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 300 ? t : t.substring(0, 300) + "...";
    }
}
