package dev.switchboard.bench.live;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

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
 * <p>Uses the JDK's {@link HttpClient} over HTTP/1.1: no extra dependency, asynchronous, and its line
 * subscriber hands each SSE line over as it arrives, which is where the timestamps are taken. HTTP/1.1
 * because that is what OpenAI clients and engines speak (one connection per stream, as in production).
 * Without virtual threads (Java 17), the only blocking thread is the dispatcher; streams are read by a
 * small pool, and a semaphore bounds requests in flight.
 *
 * <p>A render thread builds requests (prompt text, JSON) up to {@value #RENDER_AHEAD} ahead of the
 * dispatcher, so rendering does not delay a send. If the in-flight bound is reached, sending waits; the
 * wait is reported as send lag, and latencies are measured from the actual send.
 */
public final class LiveRunner {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** Requests rendered ahead of the dispatcher: covers bursts while bounding memory. */
    private static final int RENDER_AHEAD = 64;

    private final LiveConfig config;
    private final SyntheticText text;
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

    /** A runner with its own HTTP client. */
    public LiveRunner(LiveConfig config, SyntheticText text) {
        this.config = config;
        this.text = text;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(executor())
                .build();
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
                send(p.http(), p.request().tenant(), sendNanos, sendNanos - target, sendNanos - start, result -> {
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
        URI models = URI.create(chat.substring(0, chat.length() - "/chat/completions".length()) + "/models");
        HttpRequest.Builder b = HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(2)).GET();
        if (config.apiKey() != null) {
            b.header("Authorization", "Bearer " + config.apiKey());
        }
        try {
            client.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a target without /models, or a slow one, is fine: this was only a warm-up
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A request rendered ahead of its send time. */
    private record Prepared(TraceRequest request, HttpRequest http, long offsetNanos) {
        static final Prepared END = new Prepared(null, null, -1);
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
                    ready.put(new Prepared(r, httpRequest(r), offset));
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
            ready.put(Prepared.END);
        } catch (InterruptedException e) {
            // the dispatcher stopped; nothing more to render
        }
    }

    private void send(HttpRequest http, String tenant, long sendNanos, long lagNanos, long sentAfterStartNanos,
            java.util.function.Consumer<RequestResult> done, RunStats stats) {
        StreamObserver observer = new StreamObserver(JSON, sendNanos);
        String[] errorBody = new String[1];
        String[] earlyError = new String[1];
        AtomicBoolean finished = new AtomicBoolean();
        HttpResponse.BodyHandler<Void> handler = info -> {
            int status = info.statusCode();
            if (status / 100 != 2) {
                earlyError[0] = String.valueOf(status);
                return BodySubscribers.mapping(BodySubscribers.ofString(StandardCharsets.UTF_8), body -> {
                    errorBody[0] = status + " " + abbreviate(body);
                    return null;
                });
            }
            String type = info.headers().firstValue("content-type").orElse("");
            if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
                earlyError[0] = "not_sse";
                errorBody[0] = "content-type '" + type + "' instead of text/event-stream";
                return BodySubscribers.replacing(null);
            }
            return BodySubscribers.fromSubscriber(observer, (StreamObserver o) -> (Void) null);
        };
        client.sendAsync(http, handler)
                .orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((response, failure) -> {
                    if (!finished.compareAndSet(false, true)) {
                        return;
                    }
                    RequestResult result;
                    String detail = errorBody[0];
                    if (failure != null) {
                        observer.cancel();
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        String category = earlyError[0] != null ? earlyError[0] : category(cause);
                        detail = detail != null ? detail : cause.getClass().getSimpleName() + ": " + cause.getMessage();
                        result = RequestResult.failed(tenant, category, lagNanos, System.nanoTime() - sendNanos);
                    } else if (earlyError[0] != null) {
                        result = RequestResult.failed(tenant, earlyError[0], lagNanos, System.nanoTime() - sendNanos);
                    } else {
                        result = observer.result(tenant, lagNanos, null);
                        if (!result.ok()) {
                            detail = observer.streamError() != null ? observer.streamError() : "stream ended without [DONE]";
                        }
                    }
                    try {
                        stats.record(result, detail, sentAfterStartNanos, -1);
                    } finally {
                        done.accept(result);
                    }
                });
    }

    private HttpRequest httpRequest(TraceRequest r) {
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
        HttpRequest.Builder b = HttpRequest.newBuilder(config.chatUrl())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        String key = config.keyOf(r.tenant());
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b.build();
    }

    static String category(Throwable t) {
        if (t instanceof TimeoutException || t instanceof HttpTimeoutException && !(t instanceof HttpConnectTimeoutException)) {
            return "timeout";
        }
        if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException) {
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
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(modelsUrl).timeout(Duration.ofSeconds(10)).GET();
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot list models at " + modelsUrl + " (" + e + "); pass --model");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing models at " + modelsUrl);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + modelsUrl + " answered " + response.statusCode() + " "
                    + abbreviate(response.body()) + "; pass --model");
        }
        JsonNode id = JSON.readTree(response.body()).path("data").path(0).path("id");
        if (!id.isString() || id.stringValue().isBlank()) {
            throw new IllegalStateException("GET " + modelsUrl + " lists no model; pass --model");
        }
        return id.stringValue();
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 300 ? t : t.substring(0, 300) + "...";
    }

    private static Executor executor() {
        // streams are handled by callbacks that never block; a few threads suffice, and they idle out
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "live-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
