package dev.switchboard.adapter.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.metrics.PrometheusText;
import dev.switchboard.contract.wire.LoadReport;

/**
 * Engine metrics in every supported naming become the same load report: two scrapes one second apart,
 * 4 running, 1 waiting, 42% KV, 300 of 1000 queried prompt tokens hit, 10 first tokens in 2 s total
 * (200 ms mean), 100 inter-token gaps in 1.5 s (15 ms mean), 500 tokens generated (500 tokens/s).
 */
class LoadCalculatorTest {

    /** {@code %s} placeholders: counter values of the first or second scrape. */
    record Names(String running, String waiting, String kv, String hits, String queries, String ttft, String itl,
            String generated) {
        String page(double hitCount, double queryCount, double ttftCount, double ttftSum, double itlCount, double itlSum,
                double gen) {
            return running + "{model_name=\"m\"} 4\n"
                    + waiting + "{model_name=\"m\"} 1\n"
                    + kv + "{model_name=\"m\"} 0.42\n"
                    + hits + "{model_name=\"m\"} " + hitCount + "\n"
                    + queries + "{model_name=\"m\"} " + queryCount + "\n"
                    + ttft + "_count " + ttftCount + "\n" + ttft + "_sum " + ttftSum + "\n"
                    + ttft + "_bucket{le=\"+Inf\"} " + ttftCount + "\n"
                    + itl + "_count " + itlCount + "\n" + itl + "_sum " + itlSum + "\n"
                    + generated + " " + gen + "\n";
        }
    }

    static Stream<Arguments> namings() {
        return Stream.of(
                Arguments.of("vLLM current names", EngineKind.VLLM, new Names("vllm:num_requests_running",
                        "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", "vllm:prefix_cache_hits_total",
                        "vllm:prefix_cache_queries_total", "vllm:time_to_first_token_seconds",
                        "vllm:inter_token_latency_seconds", "vllm:generation_tokens_total")),
                Arguments.of("vLLM deprecated names (<= 0.10)", EngineKind.VLLM, new Names("vllm:num_requests_running",
                        "vllm:num_requests_waiting", "vllm:gpu_cache_usage_perc", "vllm:gpu_prefix_cache_hits_total",
                        "vllm:gpu_prefix_cache_queries_total", "vllm:time_to_first_token_seconds",
                        "vllm:time_per_output_token_seconds", "vllm:generation_tokens_total")),
                Arguments.of("vLLM counters without _total", EngineKind.VLLM, new Names("vllm:num_requests_running",
                        "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", "vllm:prefix_cache_hits",
                        "vllm:prefix_cache_queries", "vllm:time_to_first_token_seconds",
                        "vllm:inter_token_latency_seconds", "vllm:generation_tokens")),
                Arguments.of("SGLang colon names", EngineKind.SGLANG, new Names("sglang:num_running_reqs",
                        "sglang:num_queue_reqs", "sglang:token_usage", "sglang:cached_tokens_total",
                        "sglang:prompt_tokens_total", "sglang:time_to_first_token_seconds",
                        "sglang:inter_token_latency_seconds", "sglang:generation_tokens_total")),
                Arguments.of("SGLang underscore names", EngineKind.SGLANG, new Names("sglang_num_running_reqs",
                        "sglang_num_queue_reqs", "sglang_token_usage", "sglang_cached_tokens_total",
                        "sglang_prompt_tokens_total", "sglang_time_to_first_token_seconds",
                        "sglang_time_per_output_token_seconds", "sglang_generation_tokens_total")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("namings")
    void everyNamingYieldsTheSameReport(String what, EngineKind kind, Names names) {
        MetricsMapping mapping = MetricsMapping.forKind(kind);
        LoadCalculator calculator = new LoadCalculator(Duration.ofSeconds(2));
        MetricsReading first = read(names.page(100, 1000, 5, 1.0, 50, 0.5, 1000), mapping);
        MetricsReading second = read(names.page(400, 2000, 15, 3.0, 150, 2.0, 1500), mapping);

        LoadCalculator.Result r0 = calculator.next("e", 10_000, first, true, false);
        LoadCalculator.Result r1 = calculator.next("e", 11_000, second, true, false);

        assertThat(r0.report().recentTtftMillis()).as("no deltas from a single scrape").isZero();
        assertThat(r1.missing()).isEmpty();
        LoadReport report = r1.report();
        assertThat(report.running()).isEqualTo(4);
        assertThat(report.waiting()).isEqualTo(1);
        assertThat(report.kvUsage()).isEqualTo(0.42);
        assertThat(report.prefixHitRate()).isCloseTo(0.3, offset(1e-9));
        assertThat(report.recentTtftMillis()).isCloseTo(200, offset(1e-6));
        assertThat(report.recentItlMillis()).isCloseTo(15, offset(1e-6));
        assertThat(report.tokensPerSecond()).isCloseTo(500, offset(1e-6));
        assertThat(report.observedAtMillis()).isEqualTo(11_000);
    }

    @Test
    void aMissingRequiredMetricMeansNoReportNotZeroLoad() {
        MetricsMapping vllm = MetricsMapping.forKind(EngineKind.VLLM);
        // an engine whose running gauge was renamed to something this adapter does not know
        MetricsReading reading = read("vllm:num_requests_running_v2 9\nvllm:num_requests_waiting 0\n"
                + "vllm:kv_cache_usage_perc 0.1\n", vllm);

        LoadCalculator.Result result = new LoadCalculator(Duration.ofSeconds(2)).next("e", 0, reading, true, false);

        assertThat(result.report()).isNull();
        assertThat(result.missing()).contains(LoadField.RUNNING);
        assertThat(LoadField.RUNNING.candidateNames(vllm)).containsExactly("vllm:num_requests_running");
    }

    @Test
    void missingOptionalMetricsAreListedAndSentAsNone() {
        MetricsReading reading = read("vllm:num_requests_running 2\nvllm:num_requests_waiting 0\n"
                + "vllm:kv_cache_usage_perc 0.1\n", MetricsMapping.forKind(EngineKind.VLLM));

        LoadCalculator.Result result = new LoadCalculator(Duration.ofSeconds(2)).next("e", 0, reading, true, true);

        assertThat(result.report().running()).isEqualTo(2);
        assertThat(result.report().draining()).isTrue();
        assertThat(result.missing()).containsExactly(LoadField.PREFIX_HIT_RATE, LoadField.TTFT, LoadField.ITL,
                LoadField.TOKENS_PER_SECOND);
    }

    @Test
    void sglangFallsBackToItsRatioGaugesWhenCountersAreAbsent() {
        MetricsReading reading = read("sglang:num_running_reqs 1\nsglang:num_queue_reqs 0\nsglang:token_usage 0.5\n"
                + "sglang:cache_hit_rate 0.75\nsglang:gen_throughput 1234.5\n", MetricsMapping.forKind(EngineKind.SGLANG));

        LoadCalculator.Result result = new LoadCalculator(Duration.ofSeconds(2)).next("e", 0, reading, true, false);

        assertThat(result.report().prefixHitRate()).isEqualTo(0.75);
        assertThat(result.report().tokensPerSecond()).isEqualTo(1234.5);
        assertThat(result.missing()).containsExactly(LoadField.TTFT, LoadField.ITL);
    }

    @Test
    void ratesCoverTheWindowNotJustTheLastInterval() {
        MetricsMapping vllm = MetricsMapping.forKind(EngineKind.VLLM);
        LoadCalculator calculator = new LoadCalculator(Duration.ofMillis(1000));
        // 100 tokens every 100 ms for 2 s: the rate over any full window is 1000 tokens/s
        LoadReport last = null;
        for (int i = 0; i <= 20; i++) {
            last = calculator.next("e", i * 100L, read(base() + "vllm:generation_tokens_total " + (i * 100) + "\n", vllm), true,
                    false).report();
        }
        assertThat(last.tokensPerSecond()).isCloseTo(1000, offset(1e-6));
    }

    @Test
    void aCounterGoingDownRestartsTheWindowInsteadOfGivingNegativeRates() {
        MetricsMapping vllm = MetricsMapping.forKind(EngineKind.VLLM);
        LoadCalculator calculator = new LoadCalculator(Duration.ofSeconds(2));
        calculator.next("e", 0, read(base() + "vllm:generation_tokens_total 5000\n", vllm), true, false);
        LoadReport afterRestart = calculator.next("e", 100, read(base() + "vllm:generation_tokens_total 10\n", vllm), true, false)
                .report();
        LoadReport next = calculator.next("e", 200, read(base() + "vllm:generation_tokens_total 110\n", vllm), true, false)
                .report();
        assertThat(afterRestart.tokensPerSecond()).isZero();
        assertThat(next.tokensPerSecond()).isCloseTo(1000, offset(1e-6));
    }

    @Test
    void dataParallelRanksAreSummedAndKvUsageAveraged() {
        MetricsReading reading = read("""
                vllm:num_requests_running{engine="0"} 3
                vllm:num_requests_running{engine="1"} 5
                vllm:num_requests_waiting{engine="0"} 1
                vllm:num_requests_waiting{engine="1"} 0
                vllm:kv_cache_usage_perc{engine="0"} 0.2
                vllm:kv_cache_usage_perc{engine="1"} 0.6
                """, MetricsMapping.forKind(EngineKind.VLLM));
        LoadReport report = new LoadCalculator(Duration.ofSeconds(2)).next("e", 0, reading, true, false).report();
        assertThat(report.running()).isEqualTo(8);
        assertThat(report.waiting()).isEqualTo(1);
        assertThat(report.kvUsage()).isCloseTo(0.4, offset(1e-9));
    }

    private static String base() {
        return "vllm:num_requests_running 0\nvllm:num_requests_waiting 0\nvllm:kv_cache_usage_perc 0\n";
    }

    private static MetricsReading read(String text, MetricsMapping mapping) {
        return MetricsReading.read(PrometheusText.parse(text, mapping.sampleNames()::contains), mapping);
    }
}
