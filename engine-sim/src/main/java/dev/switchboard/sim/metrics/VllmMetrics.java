package dev.switchboard.sim.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import dev.switchboard.sim.core.CoreEvent;
import dev.switchboard.sim.core.EngineConfig;
import dev.switchboard.sim.core.EngineStats;
import dev.switchboard.sim.core.StepResult;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * vLLM V1's {@code PrometheusStatLogger} metrics ({@code vllm/v1/metrics/loggers.py}; engine-protocols.md
 * section 2): exact names (colon prefix), types, {@code model_name} and {@code engine} labels, {@code _total}
 * counters and vLLM's histogram buckets. Latencies are in the core's simulated seconds (what the modelled GPU
 * would show), so they do not depend on the simulator's speed factor.
 */
public final class VllmMetrics implements EngineMetrics {
    /** {@code vllm:time_to_first_token_seconds} buckets. */
    static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
        7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    /** {@code vllm:inter_token_latency_seconds} and {@code vllm:request_time_per_output_token_seconds} buckets. */
    static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0,
        7.5, 10.0, 20.0, 40.0, 80.0};
    /** Request-level latency buckets (e2e, queue, inference, prefill, decode). */
    static final double[] REQUEST_LATENCY_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0,
        40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
    /** {@code vllm:iteration_tokens_total} buckets. */
    static final double[] ITERATION_TOKENS_BUCKETS = {1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};

    private static final String[] LABELS = {"model_name", "engine"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Supplier<EngineStats> stats;
    private final String model;
    private final String engine;

    private final DistributionDataPoint ttft;
    private final DistributionDataPoint itl;
    private final DistributionDataPoint tpot;
    private final DistributionDataPoint e2e;
    private final DistributionDataPoint queue;
    private final DistributionDataPoint inference;
    private final DistributionDataPoint prefill;
    private final DistributionDataPoint decode;
    private final DistributionDataPoint promptTokens;
    private final DistributionDataPoint generationTokens;
    private final TextHistogram iterationTokens;

    /**
     * @param modelName   served model name ({@code model_name} label)
     * @param engineIndex DP engine index ({@code engine} label, "0" for a single engine)
     * @param config      the core's settings ({@code vllm:cache_config_info})
     * @param maxModelLen context length (request token histogram buckets)
     * @param stats       the engine's latest state (gauges and counters are read from it at scrape time)
     */
    public VllmMetrics(String modelName, String engineIndex, EngineConfig config, int maxModelLen,
            Integer numGpuBlocksOverride, Supplier<EngineStats> stats) {
        this.model = Objects.requireNonNull(modelName, "modelName");
        this.engine = Objects.requireNonNull(engineIndex, "engineIndex");
        this.stats = Objects.requireNonNull(stats, "stats");

        gauge("vllm:num_requests_running", "Number of requests in model execution batches.", s -> s.running());
        gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", s -> s.waiting());
        gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", EngineStats::kvUsage);

        counter("vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.",
                EngineStats::prefixCacheQueries);
        counter("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.",
                EngineStats::prefixCacheHits);
        counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.", EngineStats::preemptions);
        counter("vllm:prompt_tokens", "Number of prefill tokens processed.", EngineStats::promptTokens);
        counter("vllm:generation_tokens", "Number of generation tokens processed.", EngineStats::generationTokens);
        CounterWithCallback.builder()
                .name("vllm:request_success")
                .help("Count of successfully processed requests.")
                .labelNames("model_name", "engine", "finished_reason")
                .callback(cb -> {
                    EngineStats s = stats.get();
                    cb.call(s.finishedStop(), model, engine, "stop");
                    cb.call(s.finishedLength(), model, engine, "length");
                    cb.call(s.finishedAbort(), model, engine, "abort");
                })
                .register(registry);

        ttft = histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", TTFT_BUCKETS);
        itl = histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ITL_BUCKETS);
        tpot = histogram("vllm:request_time_per_output_token_seconds",
                "Histogram of time_per_output_token_seconds per request.", ITL_BUCKETS);
        e2e = histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.",
                REQUEST_LATENCY_BUCKETS);
        queue = histogram("vllm:request_queue_time_seconds",
                "Histogram of time spent in WAITING phase for request.", REQUEST_LATENCY_BUCKETS);
        inference = histogram("vllm:request_inference_time_seconds",
                "Histogram of time spent in RUNNING phase for request.", REQUEST_LATENCY_BUCKETS);
        prefill = histogram("vllm:request_prefill_time_seconds",
                "Histogram of time spent in PREFILL phase for request.", REQUEST_LATENCY_BUCKETS);
        decode = histogram("vllm:request_decode_time_seconds",
                "Histogram of time spent in DECODE phase for request.", REQUEST_LATENCY_BUCKETS);
        double[] tokenBuckets = oneTwoFive(maxModelLen);
        promptTokens = histogram("vllm:request_prompt_tokens", "Number of prefill tokens processed.", tokenBuckets);
        generationTokens = histogram("vllm:request_generation_tokens", "Number of generation tokens processed.",
                tokenBuckets);
        iterationTokens = new TextHistogram("vllm:iteration_tokens_total",
                "Histogram of number of tokens per engine_step.", List.of(LABELS), List.of(model, engine),
                ITERATION_TOKENS_BUCKETS);

        Info cacheConfig = Info.builder()
                .name("vllm:cache_config_info")
                .help("Information of the LLMEngine CacheConfig")
                .labelNames("block_size", "cache_dtype", "enable_prefix_caching", "gpu_memory_utilization",
                        "num_cpu_blocks", "num_gpu_blocks", "num_gpu_blocks_override", "sliding_window",
                        "swap_space_bytes", "engine")
                .register(registry);
        cacheConfig.addLabelValues(Integer.toString(config.blockSize()), "auto",
                config.prefixCaching() ? "True" : "False", Double.toString(config.gpuMemoryUtilization()), "None",
                Integer.toString(config.numGpuBlocks()),
                numGpuBlocksOverride == null ? "None" : numGpuBlocksOverride.toString(), "None", "0", engine);
    }

    @Override
    public void onStep(StepResult step) {
        if (!step.idle()) {
            iterationTokens.observe(step.scheduledTokens());
        }
    }

    @Override
    public void onFirstToken(String requestId, long ttftNanos) {
        ttft.observe(seconds(ttftNanos));
    }

    @Override
    public void onToken(String requestId, long itlNanos) {
        itl.observe(seconds(itlNanos));
    }

    @Override
    public void onFinished(CoreEvent.Finished f) {
        CoreEvent.RequestTimes t = f.times();
        if (t.firstTokenNanos() == CoreEvent.RequestTimes.NEVER) {
            return; // aborted before its first token: vLLM records no latencies either
        }
        e2e.observe(seconds(t.finishedNanos() - t.arrivalNanos()));
        queue.observe(seconds(t.firstScheduledNanos() - t.arrivalNanos()));
        inference.observe(seconds(t.finishedNanos() - t.firstScheduledNanos()));
        prefill.observe(seconds(t.firstTokenNanos() - t.firstScheduledNanos()));
        decode.observe(seconds(t.finishedNanos() - t.firstTokenNanos()));
        promptTokens.observe(f.promptTokens());
        generationTokens.observe(f.outputTokens());
        if (f.outputTokens() > 1) {
            tpot.observe(seconds(t.finishedNanos() - t.firstTokenNanos()) / (f.outputTokens() - 1));
        }
    }

    @Override
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            iterationTokens.write(w);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void gauge(String name, String help, java.util.function.ToDoubleFunction<EngineStats> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(LABELS)
                .callback(cb -> cb.call(value.applyAsDouble(stats.get()), model, engine))
                .register(registry);
    }

    private void counter(String name, String help, java.util.function.ToDoubleFunction<EngineStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(LABELS)
                .callback(cb -> cb.call(value.applyAsDouble(stats.get()), model, engine))
                .register(registry);
    }

    private DistributionDataPoint histogram(String name, String help, double[] buckets) {
        Histogram h = Histogram.builder().name(name).help(help).labelNames(LABELS)
                .classicOnly().classicUpperBounds(buckets).withoutExemplars()
                .register(registry);
        return h.labelValues(model, engine);
    }

    private static double seconds(long nanos) {
        return Math.max(0, nanos) / 1e9;
    }

    /** vLLM's {@code build_1_2_5_buckets(max_model_len)}: 1, 2, 5, 10, 20, 50, ... up to the limit. */
    static double[] oneTwoFive(int max) {
        List<Double> out = new ArrayList<>();
        long exponent = 1;
        while (true) {
            for (int m : new int[] {1, 2, 5}) {
                long v = m * exponent;
                if (v > max) {
                    return out.stream().mapToDouble(Double::doubleValue).toArray();
                }
                out.add((double) v);
            }
            exponent *= 10;
        }
    }
}
