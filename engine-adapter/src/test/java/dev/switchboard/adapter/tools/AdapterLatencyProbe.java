package dev.switchboard.adapter.tools;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.discovery.GpuProbe;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.engine.EngineMonitors;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.proxy.EngineListeners;
import dev.switchboard.adapter.support.Engines;
import dev.switchboard.adapter.support.FakeEngine;
import dev.switchboard.adapter.support.FakeEngine.Reply;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.LoadReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Measures, with the adapter's real components at default settings in front of a fake vLLM engine:
 * <ol>
 *   <li>engine state change to subscriber: the engine's {@code vllm:num_requests_running} changes at a
 *       random moment; the time until a subscriber of {@code /switchboard/v1/events} (over HTTP) sees
 *       the new value in a load report;</li>
 *   <li>proxy overhead: an instant streaming engine (16 content chunks, then {@code [DONE]}) answered
 *       directly and through the adapter, each path at the same fixed request rate, their requests
 *       interleaved; percentiles of full-response latency on both paths.</li>
 * </ol>
 * Run: {@code java -cp <test classpath> dev.switchboard.adapter.tools.AdapterLatencyProbe [changes] [rps] [seconds]
 * [engine-url]}. With an engine URL (for example engine-sim in instant mode) the proxy overhead is measured in
 * front of that engine, asking for 16 tokens with {@code ignore_eos}, and the state-change part is skipped (it
 * needs the fake engine's scripted load).
 * Not a test: numbers on a shared 2-core machine vary; it prints them.
 */
public final class AdapterLatencyProbe {

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int rps = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;

        String engineUrl = args.length > 3 ? args[3] : null;

        AtomicInteger running = new AtomicInteger();
        FakeEngine fake = engineUrl == null ? fakeEngine(running) : null;
        String engine = fake == null ? engineUrl : fake.url();
        int listen = 18500 + new Random().nextInt(400);
        AdapterProperties props = Engines.adapter(Engines.engine(listen, "probe-1", EngineRole.UNIFIED,
                AdapterProperties.EngineKindSetting.AUTO, engine, PdTransferKind.NONE, ""));
        EngineFleet fleet = new EngineFleet(props, Clock.systemUTC(), AdapterJson.MAPPER);
        AdapterMetrics metrics = new AdapterMetrics(new SimpleMeterRegistry());
        dev.switchboard.adapter.EngineClients clients = dev.switchboard.adapter.EngineClients.create(WebClient.builder(), props);
        EngineListeners listeners = new EngineListeners(props, fleet, clients, metrics);
        EngineMonitors monitors = new EngineMonitors(fleet, props, clients.web(), metrics, GpuProbe.none());
        listeners.start();
        monitors.start();
        try {
            FakeEngine.await(() -> fleet.endpoints().get(0).lastLoad() != null, Duration.ofSeconds(20), "first load report");
            String body;
            if (fake != null) {
                stateChangeLatency(listen, running, changes);
                body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            } else {
                body = "{\"model\":\"" + servedModel(engine) + "\",\"stream\":true,\"max_tokens\":16,\"ignore_eos\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            }
            proxyOverhead(engine, "http://127.0.0.1:" + listen, body, rps, seconds);
        } finally {
            monitors.stop();
            listeners.stop();
            if (fake != null) {
                fake.close();
            }
        }
    }

    /** An instant vLLM stand-in whose {@code num_requests_running} is {@code running}; answers 16 chunks. */
    private static FakeEngine fakeEngine(AtomicInteger running) {
        String chunk = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok\"}}]}";
        return FakeEngine.withoutRecording()
                .on("GET", "/version", Reply.json(200, "{\"version\":\"0.11.0\"}"))
                .on("GET", "/health", Reply.status(200))
                .on("GET", "/v1/models", Reply.json(200, "{\"data\":[]}"))
                .answer("GET", "/metrics", s -> Reply.text(200, "text/plain; version=0.0.4",
                        "vllm:cache_config_info{block_size=\"16\",num_gpu_blocks=\"573\"} 1\n"
                                + "vllm:num_requests_running{engine=\"0\"} " + running.get() + "\n"
                                + "vllm:num_requests_waiting{engine=\"0\"} 0\nvllm:kv_cache_usage_perc{engine=\"0\"} 0.1\n"))
                .on("POST", "/v1/chat/completions", r -> r.status(200).header("Content-Type", "text/event-stream")
                        .sendString(Flux.range(0, 17).map(i -> i < 16 ? "data: " + chunk + "\n\n" : "data: [DONE]\n\n")).then());
    }

    /** The first model {@code GET /v1/models} of {@code engine} lists. */
    private static String servedModel(String engine) {
        var models = WebClient.create(engine).get().uri("/v1/models").retrieve()
                .bodyToMono(tools.jackson.databind.JsonNode.class).block(Duration.ofSeconds(10));
        return models.path("data").path(0).path("id").asString();
    }

    private static void stateChangeLatency(int listen, AtomicInteger running, int changes) throws Exception {
        AtomicLong changedAt = new AtomicLong();
        AtomicInteger expected = new AtomicInteger(-1);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        CountDownLatch[] seen = {new CountDownLatch(1)};
        var stream = WebClient.create().get().uri("http://127.0.0.1:" + listen + AdapterEvents.PATH).retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .filter(e -> AdapterEvents.LOAD.equals(e.event()))
                .subscribe(e -> {
                    LoadReport r = AdapterJson.MAPPER.readValue(e.data(), LoadReport.class);
                    if (r.running() == expected.get()) {
                        long took = System.nanoTime() - changedAt.get();
                        latencies.add(took);
                        if (took > 150_000_000L) {
                            System.out.printf("change %d seen after %.1f ms%n", r.running(), took / 1e6);
                        }
                        expected.set(-1);
                        seen[0].countDown();
                    }
                });
        Random random = new Random(7);
        for (int i = 1; i <= changes; i++) {
            Thread.sleep(150 + random.nextInt(250)); // a random phase against the 100 ms scrape
            seen[0] = new CountDownLatch(1);
            changedAt.set(System.nanoTime());
            expected.set(i);
            running.set(i);
            if (!seen[0].await(5, TimeUnit.SECONDS)) {
                System.out.println("change " + i + " not seen within 5 s");
            }
        }
        stream.dispose();
        long[] ms = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.println("slowest: " + Arrays.toString(Arrays.stream(ms).skip(Math.max(0, ms.length - 5))
                .mapToObj(n -> String.format("%.1f", n / 1e6)).toArray()));
        System.out.printf("engine state change -> subscriber (scrape 100 ms, %d changes): p50 %.1f ms, p90 %.1f ms, "
                + "p99 %.1f ms, max %.1f ms%n", ms.length, pct(ms, 50), pct(ms, 90), pct(ms, 99), pct(ms, 100));
    }

    private static void proxyOverhead(String direct, String viaAdapter, String body, int rps, int seconds) throws Exception {
        ConnectionProvider pool = ConnectionProvider.builder("probe").maxConnections(1000).pendingAcquireMaxCount(-1).build();
        HttpClient http = HttpClient.create(pool);
        // warm-up both paths (JIT, connections)
        for (int i = 0; i < 3; i++) {
            run(http, List.of(direct, viaAdapter), body, 300, 3);
        }
        long cpu0 = cpuNanos();
        List<long[]> both = run(http, List.of(direct, viaAdapter), body, rps, seconds);
        long cpu1 = cpuNanos();
        long[] d = both.get(0);
        long[] a = both.get(1);
        System.out.printf("process CPU per request pair (direct + via adapter): %.0f us%n",
                (cpu1 - cpu0) / 1e3 / Math.max(1, Math.min(d.length, a.length)));
        System.out.printf("full streamed response at %d rps on each path, interleaved, for %d s: direct p50 %.3f ms p99 %.3f ms; "
                + "via adapter p50 %.3f ms p99 %.3f ms; difference p50 %.3f ms p99 %.3f ms (errors: direct %d, adapter %d)%n",
                rps, seconds, pct(d, 50), pct(d, 99), pct(a, 50), pct(a, 99), pct(a, 50) - pct(d, 50), pct(a, 99) - pct(d, 99),
                (long) rps * seconds - d.length, (long) rps * seconds - a.length);
        pool.dispose();
    }

    /**
     * Open-loop load on every base URL at once: each gets one request every 1/rps s, regardless of answers,
     * the paths' requests interleaved so that both see the same machine (GC pauses, other processes);
     * latencies per completed request, per base URL.
     */
    private static List<long[]> run(HttpClient http, List<String> bases, String body, int rps, int seconds)
            throws Exception {
        int perPath = rps * seconds;
        List<List<Long>> latencies = new ArrayList<>();
        for (int p = 0; p < bases.size(); p++) {
            latencies.add(java.util.Collections.synchronizedList(new ArrayList<>()));
        }
        CountDownLatch done = new CountDownLatch(perPath * bases.size());
        long intervalNanos = 1_000_000_000L / ((long) rps * bases.size());
        long start = System.nanoTime();
        for (int i = 0; i < perPath * bases.size(); i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            List<Long> into = latencies.get(i % bases.size());
            long sent = System.nanoTime();
            http.headers(h -> h.set("Content-Type", "application/json")).post()
                    .uri(bases.get(i % bases.size()) + "/v1/chat/completions")
                    .send(Mono.just(io.netty.buffer.Unpooled.wrappedBuffer(body.getBytes())))
                    .responseSingle((r, content) -> content.asString().map(s -> r.status().code()))
                    .subscribe(status -> {
                        if (status == 200) {
                            into.add(System.nanoTime() - sent);
                        }
                    }, e -> done.countDown(), done::countDown);
        }
        done.await(30, TimeUnit.SECONDS);
        List<long[]> out = new ArrayList<>();
        for (List<Long> l : latencies) {
            synchronized (l) {
                out.add(l.stream().mapToLong(Long::longValue).sorted().toArray());
            }
        }
        return out;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double pct(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = Math.min(sortedNanos.length - 1, (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }
}
