package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import tools.jackson.databind.JsonNode;

/**
 * Throughput harness, not part of the default build (tag {@code perf}): one simulator process hosting 4
 * engines (a child JVM, so its CPU is measured apart from the load generator) serves 256 concurrent SSE
 * streams; prints the process's CPU use, CPU per delivered token, and whether any engine's driver fell behind
 * its modelled GPU (driver lag). Run:
 * {@code ./mvnw -o test -pl engine-sim -Dtest=PerfHarnessTest -Dsim.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("perf")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PerfHarnessTest {
    private static final int ENGINES = 4;
    private static final int STREAMS = Integer.getInteger("perf.streams", 256);
    private static final int OUTPUT_TOKENS = Integer.getInteger("perf.outputTokens", 256);
    private static final int ROUNDS = Integer.getInteger("perf.rounds", 3);

    @Test
    void realTimeAt256Streams() throws Exception {
        run("real-time (speed 1, calibrated H100 timing)", false);
    }

    @Test
    void instantModeOverhead() throws Exception {
        run("instant (zero step time: the simulator's own cost)", true);
    }

    private void run(String label, boolean instant) throws Exception {
        int[] ports = new int[ENGINES];
        List<Map<String, Object>> engines = new ArrayList<>();
        for (int i = 0; i < ENGINES; i++) {
            ports[i] = SimFixture.freePort();
            engines.add(Map.of("id", "perf-" + i, "port", ports[i], "output-tokens", "4000-5000"));
        }
        Map<String, Object> config = Map.of("server", Map.of("port", SimFixture.freePort()),
                "logging", Map.of("level", Map.of("root", "WARN")),
                "switchboard", Map.of("sim", Map.of("instant", instant, "engines", engines)));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-Xms64m", "-Xmx768m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), EngineSimApplication.class.getName());
        pb.environment().put("SPRING_APPLICATION_JSON", SimFixture.JSON.writeValueAsString(config));
        File log = Files.createTempFile("engine-sim-perf", ".log").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        Process sim = pb.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            awaitHealthy(http, ports, sim, log);
            // warm-up round (JIT), not measured
            round(http, ports, Math.min(STREAMS, 64), 32);
            Map<String, Object> report = new LinkedHashMap<>();
            long cpu0 = cpuNanos(sim);
            long t0 = System.nanoTime();
            long tokens = 0;
            long[] streamNanos = new long[] {0};
            for (int r = 0; r < ROUNDS; r++) {
                long[] result = round(http, ports, STREAMS, OUTPUT_TOKENS);
                tokens += result[0];
                streamNanos[0] += result[1];
            }
            long wall = System.nanoTime() - t0;
            long cpu = cpuNanos(sim) - cpu0;
            report.put("mode", label);
            report.put("streams", STREAMS);
            report.put("tokens", tokens);
            report.put("wall_s", wall / 1e9);
            report.put("tokens_per_s", tokens / (wall / 1e9));
            report.put("sim_cpu_cores", (double) cpu / wall);
            report.put("sim_cpu_us_per_token", cpu / 1e3 / tokens);
            report.put("mean_stream_s", streamNanos[0] / 1e9 / (ROUNDS * STREAMS));
            List<Double> maxLagMs = new ArrayList<>();
            List<Long> steps = new ArrayList<>();
            for (int port : ports) {
                JsonNode stats = SimFixture.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + port + "/sim/stats")).build(), HttpResponse.BodyHandlers.ofString()).body());
                maxLagMs.add(stats.at("/driver/maxLagNanos").asLong() / 1e6);
                steps.add(stats.at("/driver/steps").asLong());
            }
            report.put("driver_max_lag_ms_per_engine", maxLagMs);
            report.put("steps_per_engine", steps);
            report.put("host_load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
            System.out.println("PERF " + SimFixture.JSON.writeValueAsString(report));
            assertThat(tokens).isEqualTo((long) ROUNDS * STREAMS * OUTPUT_TOKENS);
        } finally {
            sim.destroy();
            if (!sim.waitFor(15, TimeUnit.SECONDS)) {
                sim.destroyForcibly();
            }
        }
    }

    /** {@code streams} concurrent streams spread over the engines; returns {tokens received, sum of stream times}. */
    private static long[] round(HttpClient http, int[] ports, int streams, int outputTokens) {
        AtomicLong tokens = new AtomicLong();
        AtomicLong streamNanos = new AtomicLong();
        List<CompletableFuture<?>> all = new ArrayList<>();
        String context = "You are a helpful assistant serving a benchmark. ".repeat(80); // ~1000 tokens, shared prefix
        for (int i = 0; i < streams; i++) {
            int port = ports[i % ports.length];
            String body = "{\"model\":\"llama-3-8b\",\"max_tokens\":" + outputTokens + ",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"system\",\"content\":\"" + context + "\"},"
                    + "{\"role\":\"user\",\"content\":\"question " + i + " " + System.nanoTime() + "\"}]}";
            long start = System.nanoTime();
            all.add(http.sendAsync(SimFixture.request("http://127.0.0.1:" + port + "/v1/chat/completions", body,
                            Duration.ofMinutes(3)), HttpResponse.BodyHandlers.ofLines())
                    .thenAccept(r -> {
                        long n = r.body().filter(l -> l.startsWith("data: {") && l.contains("\"content\":\"")
                                && !l.contains("\"role\"")).count();
                        tokens.addAndGet(n);
                        streamNanos.addAndGet(System.nanoTime() - start);
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return new long[] {tokens.get(), streamNanos.get()};
    }

    private static void awaitHealthy(HttpClient http, int[] ports, Process sim, File log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int port : ports) {
            while (true) {
                if (!sim.isAlive()) {
                    throw new IllegalStateException("simulator exited: " + Files.readString(log.toPath()));
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("simulator not healthy: " + Files.readString(log.toPath()));
                }
                Thread.sleep(200);
            }
        }
    }

    private static long cpuNanos(Process p) {
        return p.toHandle().info().totalCpuDuration().orElseThrow().toNanos();
    }
}
