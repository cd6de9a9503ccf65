package dev.switchboard.observability;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;

/**
 * A real {@code prometheus} binary (Debian package {@code prometheus}) on a free loopback port, with
 * its TSDB under target/, queried through its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process process;
    private final int port;

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Whether the binaries the tests need are installed. */
    static boolean available() {
        return Repo.onPath("prometheus") && Repo.onPath("promtool");
    }

    /** Starts Prometheus with {@code config} (rule files relative to it) and waits until it is ready. */
    static PrometheusServer start(Path config, Path dataDir, Path log, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        int port = LocalSuite.freePort();
        ProcessBuilder pb = new ProcessBuilder("prometheus",
                "--config.file=" + config,
                "--storage.tsdb.path=" + dataDir,
                "--storage.tsdb.retention.time=1h",
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        PrometheusServer server = new PrometheusServer(pb.start(), port);
        server.awaitReady(timeout, log);
        return server;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady(Duration timeout, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited at startup:\n" + Repo.read(log));
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("prometheus not ready within " + timeout + ":\n" + Repo.read(log));
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET an API path; fails unless Prometheus answers {@code status: success}. */
    JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = get(pathAndQuery);
        JsonNode body = Dashboards.JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asString())) {
            throw new PromQlException(body.path("errorType").asString() + ": " + body.path("error").asString());
        }
        return body.get("data");
    }

    /** An instant query now; the result vector (or a one-element list for a scalar). */
    List<Sample> query(String promql) throws IOException, InterruptedException {
        JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        List<Sample> out = new ArrayList<>();
        String type = data.path("resultType").asString();
        if ("vector".equals(type)) {
            for (JsonNode s : data.get("result")) {
                out.add(new Sample(s.get("metric").toString(), parse(s.get("value").get(1).asString())));
            }
        } else if ("scalar".equals(type)) {
            out.add(new Sample("{}", parse(data.get("result").get(1).asString())));
        } else {
            throw new PromQlException("unexpected result type " + type + " for " + promql);
        }
        return out;
    }

    /** Values of {@code label} over the series selected by {@code match} (Grafana's label_values). */
    List<String> labelValues(String label, String match) throws IOException, InterruptedException {
        JsonNode data = api("/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        data.forEach(v -> out.add(v.asString()));
        return out;
    }

    private static double parse(String value) {
        return switch (value) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value);
        };
    }

    /** One element of a query result: its labels (as JSON text) and value. */
    record Sample(String labels, double value) {
        boolean finite() {
            return Double.isFinite(value);
        }
    }

    /** Prometheus rejected a query or API call. */
    static final class PromQlException extends RuntimeException {
        PromQlException(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
