package dev.switchboard.bench.overhead;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.switchboard.contract.metrics.MetricScrape;
import dev.switchboard.contract.metrics.PrometheusText;

/**
 * Reads, from the Prometheus endpoints of the services under test, how much time they have spent so
 * far in their JIT compilers ({@value #COMPILE_METRIC}) and on the CPU ({@value #CPU_METRIC}, both
 * Micrometer's JVM metrics).
 *
 * <p>The JIT time tells a steady run from a warming one: on a 2-core machine a freshly started suite
 * compiles for minutes under load (the gateway alone spent 31 s of CPU compiling in one minute at
 * 250 req/s). The CPU time, divided by the requests of a run, is what each service costs per request:
 * when the services and the load generator share the machine, their sum decides where it saturates.
 */
public final class ServiceWatch {
    /** Micrometer's {@code JvmCompilationMetrics} counter, milliseconds. */
    public static final String COMPILE_METRIC = "jvm_compilation_time_ms_total";
    /** Micrometer's {@code ProcessorMetrics} counter, nanoseconds; optional (older Micrometer lacks it). */
    public static final String CPU_METRIC = "process_cpu_time_ns_total";

    /**
     * One service's counters at one moment.
     *
     * @param endpoint      its Prometheus endpoint
     * @param compileMillis JIT compilation so far, ms
     * @param cpuMillis     CPU time so far, ms, or {@code NaN} if the service does not publish it
     */
    public record Reading(URI endpoint, double compileMillis, double cpuMillis) {
    }

    private final List<URI> endpoints;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param endpoints Prometheus endpoints, e.g. {@code http://127.0.0.1:8080/actuator/prometheus}; at least one */
    public ServiceWatch(List<URI> endpoints) {
        this.endpoints = List.copyOf(endpoints);
        if (this.endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint to watch is needed");
        }
    }

    /**
     * Every endpoint's counters now, in the order given.
     *
     * @throws IllegalStateException if an endpoint cannot be read or does not publish {@value #COMPILE_METRIC}
     */
    public List<Reading> read() {
        List<Reading> readings = new ArrayList<>(endpoints.size());
        for (URI endpoint : endpoints) {
            readings.add(read(endpoint));
        }
        return readings;
    }

    /** Compilation time of all endpoints together, in milliseconds. */
    public double compileMillis() {
        return compileMillis(read());
    }

    /** Compilation time of all {@code readings} together, in milliseconds. */
    public static double compileMillis(List<Reading> readings) {
        return readings.stream().mapToDouble(Reading::compileMillis).sum();
    }

    /** Compilation per second of wall time since {@code startNanos} ({@link System#nanoTime()}), given {@code before}. */
    public double millisPerSecondSince(double before, long startNanos) {
        return (compileMillis() - before) / ((System.nanoTime() - startNanos) / 1e9);
    }

    private Reading read(URI endpoint) {
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
            scrape = PrometheusText.parse(body, Set.of(COMPILE_METRIC, CPU_METRIC)::contains);
        } catch (PrometheusText.ParseException e) {
            throw new IllegalStateException("JIT watch: " + endpoint + " is not Prometheus text: " + e.getMessage(), e);
        }
        double compile = scrape.sum(COMPILE_METRIC).orElseThrow(() -> new IllegalStateException("JIT watch: " + endpoint
                + " publishes no " + COMPILE_METRIC + " (a Spring Boot service with Micrometer's JVM metrics does)"));
        double cpu = scrape.sum(CPU_METRIC).map(ns -> ns / 1e6).orElse(Double.NaN);
        return new Reading(endpoint, compile, cpu);
    }
}
