package dev.switchboard.sim;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Test helper: real engine servers on free loopback ports, and a plain JDK HTTP client to talk to them. */
final class SimFixture implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String MODEL = "llama-3-8b";

    final EngineServers servers;
    final List<SimProperties.Engine> engines;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private SimFixture(SimProperties properties) {
        this.engines = properties.engines();
        this.servers = new EngineServers(properties, JSON, Clock.systemUTC());
        servers.start();
    }

    /** Engines started with {@code speed} (or instant when speed is 0). */
    static SimFixture start(double speed, SimProperties.Engine... engines) {
        return new SimFixture(new SimProperties("127.0.0.1", speed == 0 ? 1 : speed, speed == 0, List.of(engines)));
    }

    /** One engine of {@code kind} and {@code role} on a free port, customised. */
    static SimProperties.Engine engine(String id, EngineKind kind, EngineRole role,
            UnaryOperator<SimProperties.Engine> custom) {
        return custom.apply(SimProperties.Engine.of(id, freePort(), kind, role, MODEL));
    }

    static SimProperties.Engine engine(String id, EngineKind kind, EngineRole role) {
        return engine(id, kind, role, UnaryOperator.identity());
    }

    String url(int engineIndex, String path) {
        return "http://127.0.0.1:" + engines.get(engineIndex).port() + path;
    }

    SimEngine engine(int index) {
        return servers.engine(engines.get(index).id()).orElseThrow();
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return http.send(request(url, body, Duration.ofSeconds(20)), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<Stream<String>> postLines(String url, String body) throws IOException, InterruptedException {
        return http.send(request(url, body, Duration.ofSeconds(20)), HttpResponse.BodyHandlers.ofLines());
    }

    static HttpRequest request(String url, String body, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** The JSON payloads of an SSE body, without the final [DONE] (asserted present). */
    static List<JsonNode> sseFrames(String body) {
        List<JsonNode> frames = new ArrayList<>();
        String[] events = body.split("\n\n");
        if (!events[events.length - 1].equals("data: [DONE]")) {
            throw new AssertionError("stream does not end with data: [DONE]: " + body);
        }
        for (int i = 0; i < events.length - 1; i++) {
            if (!events[i].startsWith("data: ")) {
                throw new AssertionError("not an SSE data frame: " + events[i]);
            }
            frames.add(JSON.readTree(events[i].substring(6)));
        }
        return frames;
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** A chat body with a user message. */
    static String chat(String content, int maxTokens, boolean stream, String extra) {
        return "{\"model\":\"" + MODEL + "\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":" + JSON.writeValueAsString(content) + "}]"
                + (extra == null ? "" : "," + extra) + "}";
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Waits until {@code condition} holds, or fails after {@code timeout}. */
    static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        servers.stop();
    }
}
