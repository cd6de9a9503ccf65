package dev.switchboard.contract.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

@Timeout(30)
class PrometheusTextTest {

    static Stream<Arguments> validLines() {
        return Stream.of(
                Arguments.of("plain gauge", "vllm:num_requests_running 3", "vllm:num_requests_running", Map.of(), 3.0),
                Arguments.of("labels", "vllm:kv_cache_usage_perc{model_name=\"m\",engine=\"0\"} 0.25",
                        "vllm:kv_cache_usage_perc", Map.of("model_name", "m", "engine", "0"), 0.25),
                Arguments.of("trailing comma in labels", "x{a=\"1\",} 1", "x", Map.of("a", "1"), 1.0),
                Arguments.of("spaces around tokens", "  x { a = \"1\" , b=\"2\" }   7  ", "x", Map.of("a", "1", "b", "2"), 7.0),
                Arguments.of("escapes in label values", "x{a=\"q\\\"b\\\\n\\n\"} 1", "x", Map.of("a", "q\"b\\n\n"), 1.0),
                Arguments.of("unicode label value", "x{a=\"é✓\"} 1", "x", Map.of("a", "é✓"), 1.0),
                Arguments.of("timestamp", "x 1.5 1700000000000", "x", Map.of(), 1.5),
                Arguments.of("negative timestamp", "x 1 -5", "x", Map.of(), 1.0),
                Arguments.of("exponent", "x 1.5e-3", "x", Map.of(), 0.0015),
                Arguments.of("upper-case exponent", "x 2E+2", "x", Map.of(), 200.0),
                Arguments.of("plus inf", "x +Inf", "x", Map.of(), Double.POSITIVE_INFINITY),
                Arguments.of("minus inf", "x -Inf", "x", Map.of(), Double.NEGATIVE_INFINITY),
                Arguments.of("nan", "x NaN", "x", Map.of(), Double.NaN),
                Arguments.of("tab separator", "x\t4", "x", Map.of(), 4.0),
                Arguments.of("CRLF", "x 4\r", "x", Map.of(), 4.0),
                Arguments.of("histogram bucket with le", "h_bucket{le=\"+Inf\"} 9", "h_bucket", Map.of("le", "+Inf"), 9.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validLines")
    void validLinesParse(String what, String line, String name, Map<String, String> labels, double value) {
        MetricScrape scrape = PrometheusText.parse("# HELP x help text\n" + line + "\n");
        assertThat(scrape.samples(name)).singleElement().satisfies(s -> {
            assertThat(s.labels()).isEqualTo(labels);
            assertThat(Double.compare(s.value(), value)).isZero();
        });
    }

    static Stream<Arguments> invalidLines() {
        return Stream.of(
                Arguments.of("no value", "x"),
                Arguments.of("name starts with digit", "1x 1"),
                Arguments.of("value with suffix", "x 1d"),
                Arguments.of("hex value", "x 0x10"),
                Arguments.of("Java infinity spelling", "x Infinity"),
                Arguments.of("unterminated labels", "x{a=\"1\" 1"),
                Arguments.of("unquoted label value", "x{a=1} 1"),
                Arguments.of("bad escape", "x{a=\"\\t\"} 1"),
                Arguments.of("duplicate label", "x{a=\"1\",a=\"2\"} 1"),
                Arguments.of("colon in label name", "x{a:b=\"1\"} 1"),
                Arguments.of("garbage after timestamp", "x 1 2 3"),
                Arguments.of("non-integer timestamp", "x 1 2.5"),
                Arguments.of("missing space before value", "x{a=\"1\"}1"),
                Arguments.of("unknown type", "# TYPE x gauges"),
                Arguments.of("second type line", "# TYPE x gauge\n# TYPE x counter"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidLines")
    void invalidLinesAreRejectedWithTheirLineNumber(String what, String text) {
        String input = "ok 1\n" + text + "\n";
        assertThatThrownBy(() -> PrometheusText.parse(input))
                .isInstanceOf(PrometheusText.ParseException.class)
                .satisfies(e -> assertThat(((PrometheusText.ParseException) e).line()).isGreaterThanOrEqualTo(2));
    }

    @Test
    void onlyKeptNamesAreStoredButEveryLineIsValidated() {
        MetricScrape scrape = PrometheusText.parse("a 1\nb{x=\"y\"} 2\n", "b"::equals);
        assertThat(scrape.has("a")).isFalse();
        assertThat(scrape.sum("b")).contains(2.0);
        assertThatThrownBy(() -> PrometheusText.parse("a 1 x\nb 2\n", "b"::equals))
                .isInstanceOf(PrometheusText.ParseException.class);
    }

    @Test
    void sumAndMeanAggregateOverLabelSetsAndSkipNaN() {
        MetricScrape scrape = PrometheusText.parse("g{engine=\"0\"} 0.2\ng{engine=\"1\"} 0.4\ng{engine=\"2\"} NaN\n");
        assertThat(scrape.sum("g").orElseThrow()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(scrape.mean("g").orElseThrow()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(scrape.sum("absent")).isEmpty();
    }

    /**
     * Property: whatever the official Prometheus Java client writes (random names with colons, random
     * label values with quotes, backslashes, newlines and non-ASCII, random values including NaN and
     * infinities), the parser reads back exactly.
     */
    @Test
    void readsBackWhatTheOfficialWriterWrites() throws Exception {
        Random random = new Random(20260822);
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        for (int round = 0; round < 200; round++) {
            List<MetricSnapshot> snapshots = new ArrayList<>();
            Map<String, Map<Map<String, String>, Double>> expected = new HashMap<>();
            int families = 1 + random.nextInt(5);
            for (int f = 0; f < families; f++) {
                String name = "m" + f + "_" + name(random);
                boolean counter = random.nextBoolean();
                String sampleName = counter ? name + "_total" : name;
                Map<Map<String, String>, Double> series = new LinkedHashMap<>();
                int points = 1 + random.nextInt(4);
                GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help("help " + round);
                CounterSnapshot.Builder count = CounterSnapshot.builder().name(name).help("help " + round);
                for (int p = 0; p < points; p++) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    labels.put("series", Integer.toString(p));
                    if (random.nextBoolean()) {
                        labels.put("lbl_" + random.nextInt(3), labelValue(random));
                    }
                    double value = counter ? Math.abs(value(random)) : value(random);
                    if (counter && Double.isNaN(value)) {
                        value = 0;
                    }
                    series.put(labels, value);
                    Labels l = Labels.of(labels.keySet().toArray(String[]::new), labels.values().toArray(String[]::new));
                    if (counter) {
                        count.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(l).build());
                    } else {
                        gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(l).build());
                    }
                }
                snapshots.add(counter ? count.build() : gauge.build());
                expected.put(sampleName, series);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.write(out, new MetricSnapshots(snapshots), EscapingScheme.UNDERSCORE_ESCAPING);
            String text = out.toString(StandardCharsets.UTF_8);

            MetricScrape scrape = PrometheusText.parse(text);

            for (var family : expected.entrySet()) {
                Map<Map<String, String>, Double> actual = new HashMap<>();
                scrape.samples(family.getKey()).forEach(s -> actual.put(s.labels(), s.value()));
                assertThat(actual.keySet()).as(text).isEqualTo(family.getValue().keySet());
                family.getValue().forEach((labels, value) ->
                        assertThat(Double.compare(actual.get(labels), value)).as(text).isZero());
            }
        }
    }

    /** Fuzz: any mutation of a real exposition either parses or fails with a ParseException, never otherwise. */
    @Test
    void mutatedInputNeverFailsWithAnythingButAParseException() {
        String base = VLLM_SAMPLE;
        Random random = new Random(42);
        String alphabet = "{}\"\\=, \n\t#:_a1.eE+-InfNa";
        int parsed = 0;
        for (int i = 0; i < 5000; i++) {
            StringBuilder s = new StringBuilder(base);
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(3)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String keptError = errorOf(() -> PrometheusText.parse(s));
            if (keptError == null) {
                parsed++;
            }
            // dropped samples are only checked, without allocating: the same verdict, bar repeated labels
            String droppedError = errorOf(() -> PrometheusText.parse(s, name -> false));
            if (keptError == null || !keptError.contains("appears twice")) {
                assertThat(droppedError).as(s.toString()).isEqualTo(keptError);
            }
        }
        assertThat(parsed).as("some mutations stay valid (comments, label text)").isPositive();
    }

    private static String errorOf(Runnable parse) {
        try {
            parse.run();
            return null;
        } catch (PrometheusText.ParseException e) {
            return e.getMessage();
        }
    }

    private static String name(Random r) {
        String chars = "abcdefghijklmnopqrstuvwxyz_:0123456789";
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
        }
        return sb.toString().replace("__", "_x");
    }

    private static String labelValue(Random r) {
        String[] parts = {"a", "\"", "\\", "\n", "é", "✓", " ", "=", ",", "}", "{", "0.5", "\\n", "vllm:x"};
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            sb.append(parts[r.nextInt(parts.length)]);
        }
        return sb.toString();
    }

    private static double value(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> Double.NEGATIVE_INFINITY;
            case 3 -> r.nextInt(1000);
            case 4 -> r.nextDouble() * 1e-9;
            case 5 -> r.nextDouble() * 1e300;
            default -> (r.nextDouble() - 0.5) * 1000;
        };
    }

    /** A trimmed real vLLM /metrics page (names and label shapes as vLLM 0.1x exposes them). */
    static final String VLLM_SAMPLE = """
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="llama-3-8b"} 4.0
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="llama-3-8b"} 1.0
            # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
            # TYPE vllm:kv_cache_usage_perc gauge
            vllm:kv_cache_usage_perc{engine="0",model_name="llama-3-8b"} 0.42
            # HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.
            # TYPE vllm:prefix_cache_queries_total counter
            vllm:prefix_cache_queries_total{engine="0",model_name="llama-3-8b"} 1000.0
            # TYPE vllm:prefix_cache_hits_total counter
            vllm:prefix_cache_hits_total{engine="0",model_name="llama-3-8b"} 250.0
            # TYPE vllm:generation_tokens_total counter
            vllm:generation_tokens_total{engine="0",model_name="llama-3-8b"} 5000.0
            # TYPE vllm:time_to_first_token_seconds histogram
            vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",model_name="llama-3-8b"} 3.0
            vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="llama-3-8b"} 10.0
            vllm:time_to_first_token_seconds_count{engine="0",model_name="llama-3-8b"} 10.0
            vllm:time_to_first_token_seconds_sum{engine="0",model_name="llama-3-8b"} 2.0
            # TYPE vllm:inter_token_latency_seconds histogram
            vllm:inter_token_latency_seconds_count{engine="0",model_name="llama-3-8b"} 100.0
            vllm:inter_token_latency_seconds_sum{engine="0",model_name="llama-3-8b"} 1.5
            # TYPE vllm:cache_config_info gauge
            vllm:cache_config_info{block_size="16",cache_dtype="auto",enable_prefix_caching="True",engine="0",gpu_memory_utilization="0.82",num_cpu_blocks="1024",num_gpu_blocks="573",num_gpu_blocks_override="None",sliding_window="None"} 1.0
            """;
}
