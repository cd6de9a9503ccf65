package dev.switchboard.bench.live;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tiny OpenAI-style server for tests: streams a scripted SSE answer per request, records what it
 * received, and tracks concurrency.
 */
public final class FakeOpenAiServer implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * How to answer one request.
     *
     * @param status        HTTP status (non-2xx sends a JSON error body)
     * @param firstDelayMs  delay before the first content chunk
     * @param gapMs         delay between content chunks
     * @param chunks        content chunks
     * @param usageTokens   completion_tokens to report in usage, or -1 to send no usage
     * @param streamError   send an error event after the first chunk
     * @param done          send [DONE] at the end
     */
    public record Script(int status, long firstDelayMs, long gapMs, int chunks, int usageTokens, boolean streamError, boolean done) {
        public static Script ok(long firstDelayMs, long gapMs, int chunks, int usageTokens) {
            return new Script(200, firstDelayMs, gapMs, chunks, usageTokens, false, true);
        }

        public static Script status(int status) {
            return new Script(status, 0, 0, 0, -1, false, false);
        }

        /** A 200 answer that is not a stream: an OpenAI completion object as {@code application/json}. */
        public static Script notStreamed() {
            return new Script(NOT_STREAMED, 0, 0, 0, -1, false, false);
        }
    }

    /** {@link Script#status} of {@link Script#notStreamed}: answered 200 with a JSON body. */
    private static final int NOT_STREAMED = -200;

    /** What one request looked like when it arrived. */
    public record Received(long nanos, JsonNode body, String authorization) {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    public FakeOpenAiServer(Function<Received, Script> scripts) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(pool);
        server.createContext("/v1/chat/completions", exchange -> handle(exchange, scripts));
        server.createContext("/v1/models", exchange -> {
            byte[] body = "{\"object\":\"list\",\"data\":[{\"id\":\"fake-model\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public URI chatUrl() {
        return URI.create(baseUrl() + "/v1/chat/completions");
    }

    public List<Received> received() {
        return received;
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    private void handle(HttpExchange exchange, Function<Received, Script> scripts) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (exchange) {
            long at = System.nanoTime();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            Received r = new Received(at, body, exchange.getRequestHeaders().getFirst("Authorization"));
            received.add(r);
            Script s = scripts.apply(r);
            if (s.status() == NOT_STREAMED) {
                byte[] answer = "{\"object\":\"chat.completion\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            if (s.status() / 100 != 2) {
                byte[] error = ("{\"error\":{\"message\":\"scripted " + s.status() + "\",\"type\":\"test\",\"code\":" + s.status()
                        + "}}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(s.status(), error.length);
                exchange.getResponseBody().write(error);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}");
            sleep(s.firstDelayMs());
            for (int i = 0; i < s.chunks(); i++) {
                if (i > 0) {
                    sleep(s.gapMs());
                }
                event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i + " \"},\"finish_reason\":null}]}");
                if (s.streamError() && i == 0) {
                    event(out, "{\"error\":{\"message\":\"engine died\",\"code\":500}}");
                    return;
                }
            }
            if (s.usageTokens() >= 0) {
                event(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":" + s.usageTokens()
                        + ",\"total_tokens\":" + (100 + s.usageTokens()) + ",\"prompt_tokens_details\":{\"cached_tokens\":25}}}");
            }
            if (s.done()) {
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
