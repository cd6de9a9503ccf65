package dev.switchboard.bench.overhead;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.switchboard.contract.metrics.MetricScrape;
import dev.switchboard.contract.metrics.PrometheusText;

/**
 * Reads how much time the services under test have spent in their JIT compilers so far, from
 * Micrometer's {@value #METRIC} on their Prometheus endpoints. On a 2-core machine a freshly started
 * suite compiles for minutes under load (the gateway alone spent 31 s of CPU compiling in one minute at
 * 250 req/s), and a run measured meanwhile reports the compiler, not the steady state.
 */
public final class JitWatch {
    /** Micrometer's {@code JvmCompilationMetrics} counter, milliseconds. */
    public static final String METRIC = "jvm_compilation_time_ms_total";

    private final List<URI> endpoints;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param endpoints Prometheus endpoints, e.g. {@code http://127.0.0.1:8080/actuator/prometheus}; at least one */
    public JitWatch(List<URI> endpoints) {
        this.endpoints = List.copyOf(endpoints);
        if (this.endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint to watch is needed");
        }
    }

    /**
     * Compilation time of all endpoints together, in milliseconds.
     *
     * @throws IllegalStateException if an endpoint cannot be read or does not publish {@value #METRIC}
     */
    public double compileMillis() {
        double total = 0;
        for (URI endpoint : endpoints) {
            total += compileMillis(endpoint);
        }
        return total;
    }

    /** Compilation per second of wall time since {@code startNanos} ({@link System#nanoTime()}), given {@code before}. */
    public double millisPerSecondSince(double before, long startNanos) {
        return (compileMillis() - before) / ((System.nanoTime() - startNanos) / 1e9);
    }

    private double compileMillis(URI endpoint) {
        String body;
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("JIT watch: " + endpoint + " answered " + response.statusCode());
            }
            body = response.body();
        } catch (IOException e) {
            throw new IllegalStateException("JIT watch: cannot read " + endpoint + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("JIT watch: interrupted reading " + endpoint, e);
        }
        MetricScrape scrape;
        try {
            scrape = PrometheusText.parse(body, METRIC::equals);
        } catch (PrometheusText.ParseException e) {
            throw new IllegalStateException("JIT watch: " + endpoint + " is not Prometheus text: " + e.getMessage(), e);
        }
        return scrape.sum(METRIC).orElseThrow(() -> new IllegalStateException("JIT watch: " + endpoint
                + " publishes no " + METRIC + " (a Spring Boot service with Micrometer's JVM metrics does)"));
    }
}
