package dev.switchboard.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.switchboard.bench.BenchCli;
import dev.switchboard.bench.live.FakeOpenAiServer;
import dev.switchboard.bench.overhead.NginxProxy;
import dev.switchboard.bench.report.BenchReport;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code overhead} against two fake OpenAI servers standing in for the engine and the gateway (no nginx). */
@Timeout(60)
class OverheadCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = BenchCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void comparesTheGatewayPathWithTheDirectOne(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer engine = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(0, 0, 2, 2));
                FakeOpenAiServer gateway = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(15, 0, 2, 2))) {
            Path json = dir.resolve("overhead.json");
            int code = run("overhead", "--direct", engine.baseUrl(), "--gateway", gateway.baseUrl() + "/v1", "--nginx", "off",
                    "--model", "m", "--rates", "20,40", "--duration", "250ms", "--warmup", "2", "--output-tokens", "2",
                    "--json", json.toString(), "--charts", dir.toString(), "--markdown", dir.resolve("o.md").toString());

            assertThat(code).as(err.toString()).isZero();
            JsonNode root = BenchReport.mapper().readTree(Files.readString(json));
            assertThat(root.path("runs")).hasSize(4);
            assertThat(root.path("runs").path(0).path("mode").asString()).isEqualTo("overhead");
            JsonNode points = root.path("overhead");
            assertThat(points).hasSize(4);
            assertThat(points.path(0).path("path").asString()).isEqualTo("direct");
            assertThat(points.path(0).path("added_ttft_p50_ms").asDouble()).isZero();
            assertThat(points.path(1).path("path").asString()).isEqualTo("gateway");
            assertThat(points.path(1).path("rate_rps").asDouble()).isEqualTo(20.0);
            assertThat(points.path(1).path("requests").asInt()).isEqualTo(5);
            // the fake gateway waits 15 ms before its first token; added = its percentile minus direct's at the same rate
            assertThat(points.path(1).path("ttft_ms").path("p50").asDouble()).isGreaterThanOrEqualTo(15.0);
            assertThat(points.path(1).path("added_ttft_p50_ms").asDouble()).isCloseTo(points.path(1).path("ttft_ms").path("p50")
                    .asDouble() - points.path(0).path("ttft_ms").path("p50").asDouble(), within(0.002));
            assertThat(points.path(3).path("added_e2e_p99_ms").asDouble()).isCloseTo(points.path(3).path("e2e_ms").path("p99")
                    .asDouble() - points.path(2).path("e2e_ms").path("p99").asDouble(), within(0.002));
            assertThat(dir.resolve("overhead.png")).exists();
            assertThat(Files.readString(dir.resolve("o.md"))).contains("| gateway | 40 |");
            // 2 warm-up + 5 + 10 requests each
            assertThat(engine.received()).hasSize(17);
            assertThat(engine.received()).allSatisfy(r -> assertThat(r.body().path("ignore_eos").asBoolean()).isTrue());
        }
    }

    @Test
    void leadsIntoEveryMeasuredRunWithUncountedRequestsAtItsRate(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer engine = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(0, 0, 2, 2));
                FakeOpenAiServer gateway = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(0, 0, 2, 2))) {
            Path json = dir.resolve("overhead.json");
            int code = run("overhead", "--direct", engine.baseUrl(), "--gateway", gateway.baseUrl(), "--nginx", "off",
                    "--model", "m", "--rates", "20,40", "--duration", "250ms", "--warmup", "0", "--lead-in", "100ms",
                    "--output-tokens", "2", "--json", json.toString());

            assertThat(code).as(err.toString()).isZero();
            JsonNode points = BenchReport.mapper().readTree(Files.readString(json)).path("overhead");
            assertThat(points.path(0).path("requests").asInt()).isEqualTo(5);
            assertThat(points.path(3).path("requests").asInt()).isEqualTo(10);
            // per path: 2 + 4 lead-in requests (100 ms at 20 and at 40 req/s), then the 5 + 10 measured ones
            assertThat(engine.received()).hasSize(21);
            assertThat(gateway.received()).hasSize(21);
            // lead-in prompts are their own: none repeats a measured one, so none is a prefix-cache hit for it
            assertThat(engine.received().stream().map(r -> r.body().path("messages").toString()).distinct()).hasSize(21);
        }
        assertThat(run("overhead", "--direct", "http://127.0.0.1:1", "--model", "m", "--lead-in", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--lead-in");
    }

    @Test
    void proxiesThroughNginxWhenItIsInstalled() throws Exception {
        Assumptions.assumeTrue(NginxProxy.findOnPath().isPresent(), "nginx is not on PATH");
        try (FakeOpenAiServer engine = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(0, 0, 2, 2))) {
            int code = run("overhead", "--direct", engine.baseUrl(), "--model", "m", "--rates", "20", "--duration", "250ms",
                    "--warmup", "1", "--output-tokens", "2");
            assertThat(code).as(err.toString()).isZero();
            assertThat(err.toString()).contains("started nginx on http://127.0.0.1:");
            assertThat(out.toString()).containsPattern("nginx\s+20\s");
            // 1 warm-up + 5 direct, 1 warm-up + 5 through nginx, all streamed through to the same engine
            assertThat(engine.received()).hasSize(12);
        }
    }

    @Test
    void warmsUpUntilTheWatchedServicesStopCompiling() throws Exception {
        // reads: 0 the option check, 1-2 round one (the compiler works 5 s), 3-4 round two (quiet), then the runs
        AtomicInteger reads = new AtomicInteger();
        // the service's CPU counter grows by 1 s per read: 1,000 ms over the 5 requests of the measured run
        HttpServer prometheus = prometheus(() -> {
            int read = reads.getAndIncrement();
            return "# TYPE jvm_compilation_time_ms_total counter\n"
                    + "jvm_compilation_time_ms_total{compiler=\"HotSpot\"} " + (read >= 2 ? 5000 : 100) + "\n"
                    + "process_cpu_time_ns_total " + read * 1_000_000_000L + ".0\n";
        });
        try (FakeOpenAiServer engine = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(0, 0, 2, 2))) {
            int code = run("overhead", "--direct", engine.baseUrl(), "--nginx", "off", "--model", "m", "--rates", "20",
                    "--duration", "250ms", "--warmup", "1", "--output-tokens", "2", "--warmup-round", "100ms",
                    "--jit-watch", "http://127.0.0.1:" + prometheus.getAddress().getPort() + "/prometheus");
            assertThat(code).as(err.toString()).isZero();
            assertThat(out.toString()).containsPattern("warm-up round 1 \\(20 req/s\\): services' JIT [1-9][0-9]{3,} ms/s\n")
                    .contains("warm-up round 2 (20 req/s): services' JIT 0 ms/s, quiet: measuring")
                    .doesNotContain("warm-up round 3")
                    .contains("services' JIT 0 ms/s")
                    .containsPattern("CPU ms per request: load generator [0-9.]+, 127\\.0\\.0\\.1:[0-9]+ 200\\.00, services 200\\.00\n");
            // 1 warm-up + 2 per round + 5 measured
            assertThat(engine.received()).hasSize(10);
        } finally {
            prometheus.stop(0);
        }
    }

    @Test
    void writesEveryRequestOfEveryRunToTheTimeline(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer engine = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(0, 0, 2, 2));
                FakeOpenAiServer gateway = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.status(503))) {
            Path timeline = dir.resolve("timeline");
            int code = run("overhead", "--direct", engine.baseUrl(), "--gateway", gateway.baseUrl(), "--nginx", "off",
                    "--model", "m", "--rates", "20", "--duration", "250ms", "--warmup", "1", "--output-tokens", "2",
                    "--timeline", timeline.toString());
            assertThat(code).as(err.toString()).isZero();
            java.util.List<String> direct = Files.readAllLines(timeline.resolve("direct-20.csv"));
            assertThat(direct.get(0)).isEqualTo("sent_ms,ttft_ms,e2e_ms,error");
            assertThat(direct).hasSize(6); // header + the 5 measured requests, not the warm-up
            double previous = -1;
            for (String row : direct.subList(1, direct.size())) {
                String[] f = row.split(",", -1);
                assertThat(f).hasSize(4);
                double sent = Double.parseDouble(f[0]);
                assertThat(sent).isGreaterThanOrEqualTo(previous).isLessThan(1_000);
                previous = sent;
                assertThat(Double.parseDouble(f[1])).isPositive().isLessThanOrEqualTo(Double.parseDouble(f[2]));
                assertThat(f[3]).isEmpty();
            }
            assertThat(Files.readAllLines(timeline.resolve("gateway-20.csv")).subList(1, 6))
                    .allSatisfy(row -> assertThat(row).matches("[0-9.]+,-1\\.000,[0-9.]+,503"));
        }
    }

    @Test
    void aWatchedEndpointWithoutTheJitMetricIsRefusedBeforeSending() throws Exception {
        HttpServer prometheus = prometheus(() -> "process_cpu_usage 0.5\n");
        try {
            int code = run("overhead", "--direct", "http://127.0.0.1:1", "--nginx", "off", "--model", "m",
                    "--jit-watch", "http://127.0.0.1:" + prometheus.getAddress().getPort() + "/prometheus");
            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).contains("publishes no jvm_compilation_time_ms_total");
            assertThat(run("overhead", "--direct", "http://127.0.0.1:1", "--nginx", "off", "--model", "m",
                    "--jit-watch", "ftp://127.0.0.1/x")).isEqualTo(2);
            assertThat(err.toString()).contains("--jit-watch needs http(s) URLs, but one was ftp://127.0.0.1/x");
        } finally {
            prometheus.stop(0);
        }
    }

    private static HttpServer prometheus(Supplier<String> body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/prometheus", exchange -> {
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void invalidOptionsFailWithPreciseMessages() {
        assertThat(run("overhead", "--direct", "ftp://x", "--model", "m")).isEqualTo(2);
        assertThat(err.toString()).contains("--direct must start with http:// or https://, but was 'ftp://x'");
        assertThat(run("overhead", "--direct", "http://127.0.0.1:1", "--model", "m", "--rates", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--rates must be positive numbers of requests/s, but one was 0.0");
        assertThat(run("overhead", "--direct", "http://127.0.0.1:1", "--model", "m", "--nginx", "/nonexistent/nginx")).isEqualTo(2);
        assertThat(err.toString()).contains("--nginx must be auto, off or an executable file");
    }

    @Test
    void theNginxConfigListensOnLoopbackAndStreamsUnbuffered(@TempDir Path dir) {
        String conf = NginxProxy.config(dir, 18080, "127.0.0.1", 8001);
        assertThat(conf).contains("listen 127.0.0.1:18080;", "server 127.0.0.1:8001;", "proxy_buffering off;", "daemon off;",
                "pid " + dir.toAbsolutePath() + "/nginx.pid;", "access_log off;");
        assertThat(conf).doesNotContainPattern("listen (?!127\\.0\\.0\\.1)");
    }
}
