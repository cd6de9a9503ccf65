package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import tools.jackson.databind.JsonNode;

/**
 * Every metric of engine-protocols.md sections 2 (vLLM) and 5.2 (SGLang) that the simulator claims is exposed
 * with its exact name, type, labels and buckets, read back through an independent Prometheus text parser; and
 * the values follow what the engine did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest {
    private static final Map<String, MetricType> VLLM = new LinkedHashMap<>();
    private static final Map<String, MetricType> SGLANG = new LinkedHashMap<>();

    static {
        for (String g : List.of("num_requests_running", "num_requests_waiting", "kv_cache_usage_perc", "cache_config_info")) {
            VLLM.put("vllm:" + g, MetricType.GAUGE);
        }
        for (String c : List.of("prefix_cache_queries_total", "prefix_cache_hits_total", "prompt_tokens_total",
                "generation_tokens_total", "num_preemptions_total", "request_success_total")) {
            VLLM.put("vllm:" + c, MetricType.COUNTER);
        }
        for (String h : List.of("time_to_first_token_seconds", "inter_token_latency_seconds", "e2e_request_latency_seconds",
                "request_queue_time_seconds", "request_inference_time_seconds", "request_prefill_time_seconds",
                "request_decode_time_seconds", "request_time_per_output_token_seconds", "request_prompt_tokens",
                "request_generation_tokens", "iteration_tokens_total")) {
            VLLM.put("vllm:" + h, MetricType.HISTOGRAM);
        }
        for (String g : List.of("num_running_reqs", "num_queue_reqs", "token_usage", "cache_hit_rate", "gen_throughput",
                "max_total_num_tokens", "num_used_tokens", "kv_used_tokens", "kv_available_tokens", "cache_config_info")) {
            SGLANG.put("sglang:" + g, MetricType.GAUGE);
        }
        for (String c : List.of("prompt_tokens_total", "generation_tokens_total", "cached_tokens_total",
                "num_requests_total", "num_aborted_requests_total")) {
            SGLANG.put("sglang:" + c, MetricType.COUNTER);
        }
        for (String h : List.of("time_to_first_token_seconds", "inter_token_latency_seconds", "e2e_request_latency_seconds")) {
            SGLANG.put("sglang:" + h, MetricType.HISTOGRAM);
        }
    }

    private SimFixture sim;
    private int completionTokens;

    @BeforeAll
    void start() throws Exception {
        sim = SimFixture.start(20, SimFixture.engine("v", EngineKind.VLLM, EngineRole.UNIFIED),
                SimFixture.engine("s", EngineKind.SGLANG, EngineRole.UNIFIED));
        String prompt = "metrics prompt ".repeat(30);
        for (int engine = 0; engine < 2; engine++) {
            for (int i = 0; i < 2; i++) { // the second run hits the prefix cache
                JsonNode r = SimFixture.json(sim.post(sim.url(engine, "/v1/completions"), "{\"model\":\"llama-3-8b\","
                        + "\"max_tokens\":5,\"prompt\":" + SimFixture.JSON.writeValueAsString(prompt) + "}"));
                if (engine == 0) {
                    completionTokens += r.at("/usage/completion_tokens").asInt();
                }
            }
        }
    }

    @AfterAll
    void stop() {
        sim.close();
    }

    private Map<String, MetricFamily> scrape(int engine, String contentTypePrefix) throws Exception {
        var response = sim.get(sim.url(engine, "/metrics"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                c -> assertThat(c).startsWith(contentTypePrefix));
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(
                new ByteArrayInputStream(response.body().getBytes(StandardCharsets.UTF_8)));
        for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
            assertThat(families.put(f.getName(), f)).as("family %s appears once", f.getName()).isNull();
        }
        return families;
    }

    @Test
    void vllmMetricsHaveTheExactNamesTypesAndLabels() throws Exception {
        String raw = sim.get(sim.url(0, "/metrics")).body();
        assertThat(raw).contains("\nvllm:num_requests_running{").contains("# TYPE vllm:prompt_tokens_total counter")
                .contains("# TYPE vllm:iteration_tokens_total histogram").doesNotContain("vllm_");
        Map<String, MetricFamily> families = scrape(0, "text/plain; version=0.0.4");
        VLLM.forEach((name, type) -> {
            assertThat(families).as(name).containsKey(name);
            assertThat(families.get(name).getType()).as(name).isEqualTo(type);
            for (Metric m : families.get(name).getMetrics()) {
                if (name.equals("vllm:cache_config_info")) {
                    assertThat(m.getLabels()).containsEntry("engine", "0").containsEntry("block_size", "16")
                            .containsKeys("num_gpu_blocks", "gpu_memory_utilization", "enable_prefix_caching");
                } else {
                    assertThat(m.getLabels()).as(name).containsEntry("model_name", "llama-3-8b").containsEntry("engine", "0");
                }
            }
        });
        assertThat(families.get("vllm:request_success_total").getMetrics())
                .extracting(m -> m.getLabels().get("finished_reason")).containsExactlyInAnyOrder("stop", "length", "abort");
        assertThat(Integer.parseInt(families.get("vllm:cache_config_info").getMetrics().get(0).getLabels()
                .get("num_gpu_blocks"))).isEqualTo(sim.engine(0).driver().config().numGpuBlocks());
    }

    @Test
    void vllmHistogramsUseVllmsBuckets() throws Exception {
        Map<String, MetricFamily> families = scrape(0, "text/plain");
        assertThat(bounds(families, "vllm:time_to_first_token_seconds")).containsExactly(0.001, 0.005, 0.01, 0.02, 0.04,
                0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
                Double.POSITIVE_INFINITY);
        assertThat(bounds(families, "vllm:inter_token_latency_seconds")).containsExactly(0.01, 0.025, 0.05, 0.075, 0.1,
                0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, Double.POSITIVE_INFINITY);
        assertThat(bounds(families, "vllm:e2e_request_latency_seconds")).containsExactly(0.3, 0.5, 0.8, 1.0, 1.5, 2.0,
                2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
                Double.POSITIVE_INFINITY);
        assertThat(bounds(families, "vllm:iteration_tokens_total")).containsExactly(1.0, 8.0, 16.0, 32.0, 64.0, 128.0,
                256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0, Double.POSITIVE_INFINITY);
    }

    @Test
    void vllmValuesFollowWhatTheEngineDid() throws Exception {
        SimFixture.await(Duration.ofSeconds(5), "idle", () -> sim.engine(0).driver().stats().running() == 0);
        Map<String, MetricFamily> families = scrape(0, "text/plain");
        assertThat(value(families, "vllm:generation_tokens_total")).isEqualTo(completionTokens);
        assertThat(value(families, "vllm:prefix_cache_hits_total")).isPositive();
        assertThat(value(families, "vllm:prefix_cache_queries_total"))
                .isGreaterThan(value(families, "vllm:prefix_cache_hits_total"));
        assertThat(value(families, "vllm:num_requests_running")).isZero();
        Histogram ttft = (Histogram) families.get("vllm:time_to_first_token_seconds").getMetrics().get(0);
        assertThat(ttft.getSampleCount()).isEqualTo(2);
        // simulated seconds: a ~120-token prefill on an H100 takes milliseconds, whatever the speed factor or the
        // host's load (an idle engine's step starts at the arrival, not when its driver thread wakes)
        assertThat(ttft.getSampleSum() / 2).isBetween(0.005, 0.05);
        Histogram itl = (Histogram) families.get("vllm:inter_token_latency_seconds").getMetrics().get(0);
        assertThat(itl.getSampleCount()).isEqualTo(completionTokens - 2);
        assertThat(itl.getSampleSum() / itl.getSampleCount()).isCloseTo(0.0075, within(0.0015)); // batch-1 decode
        Histogram iterations = (Histogram) families.get("vllm:iteration_tokens_total").getMetrics().get(0);
        assertThat(iterations.getSampleCount()).isPositive();
    }

    @Test
    void sglangMetricsHaveTheExactNamesTypesAndLabels() throws Exception {
        Map<String, MetricFamily> families = scrape(1, "text/plain");
        SGLANG.forEach((name, type) -> {
            assertThat(families).as(name).containsKey(name);
            assertThat(families.get(name).getType()).as(name).isEqualTo(type);
            for (Metric m : families.get(name).getMetrics()) {
                if (name.equals("sglang:cache_config_info")) {
                    assertThat(m.getLabels()).containsEntry("page_size", "16").containsKey("num_pages");
                } else {
                    assertThat(m.getLabels()).as(name).containsEntry("model_name", "llama-3-8b")
                            .containsEntry("engine_type", "unified").containsKeys("tp_rank", "pp_rank");
                }
            }
        });
        assertThat(value(families, "sglang:max_total_num_tokens"))
                .isEqualTo((double) sim.engine(1).driver().config().usableBlocks() * 16);
        assertThat(value(families, "sglang:cached_tokens_total")).isPositive();
        assertThat(value(families, "sglang:cache_hit_rate")).isBetween(0.01, 1.0);
    }

    private static List<Double> bounds(Map<String, MetricFamily> families, String name) {
        Histogram h = (Histogram) families.get(name).getMetrics().get(0);
        return h.getBuckets().stream().map(Histogram.Bucket::getUpperBound).toList();
    }

    private static double value(Map<String, MetricFamily> families, String name) {
        Metric m = families.get(name).getMetrics().get(0);
        return m instanceof Counter c ? c.getValue() : ((Gauge) m).getValue();
    }
}
