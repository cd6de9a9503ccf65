package dev.switchboard.sim.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

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
 * SGLang's scheduler and tokenizer metrics ({@code sglang/srt/metrics/collector.py}; engine-protocols.md
 * 5.2) with the colon prefix the engine itself uses, labels {@code model_name}, {@code engine_type},
 * {@code tp_rank}, {@code pp_rank}. Histogram buckets follow SGLang's collector (TTFT, ITL, e2e).
 *
 * <p>Approximations: {@code sglang:cache_hit_rate} is cumulative (SGLang reports the last prefill batch's
 * rate); {@code sglang:gen_throughput} is generated tokens per simulated second over the last second of steps.
 */
public final class SglangMetrics implements EngineMetrics {
    static final double[] TTFT_BUCKETS = {0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400};
    static final double[] ITL_BUCKETS = {0.002, 0.004, 0.006, 0.008, 0.010, 0.015, 0.020, 0.025, 0.030, 0.035, 0.040,
        0.060, 0.080, 0.100, 0.200, 0.400, 0.600, 0.800, 1.000, 2.000, 4.000, 6.000, 8.000};
    static final double[] E2E_BUCKETS = {0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 800};
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Supplier<EngineStats> stats;
    private final LongSupplier simNow;
    private final String[] labelValues;
    private final int blockSize;

    private final DistributionDataPoint ttft;
    private final DistributionDataPoint itl;
    private final DistributionDataPoint e2e;

    // gen_throughput window (driver thread writes, scrape reads the volatile result)
    private long windowStart = Long.MIN_VALUE;
    private long windowTokens;
    private volatile double throughput;
    private volatile long throughputAt = Long.MIN_VALUE;

    /**
     * @param modelName  served model ({@code model_name})
     * @param engineType {@code unified}, {@code prefill} or {@code decode}
     * @param config     the core's settings (capacity, page size)
     * @param stats      the engine's latest state
     * @param simNow     the engine's simulated clock (to let a stale throughput fall to 0)
     */
    public SglangMetrics(String modelName, String engineType, EngineConfig config, Supplier<EngineStats> stats,
            LongSupplier simNow) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.simNow = Objects.requireNonNull(simNow, "simNow");
        this.labelValues = new String[] {modelName, engineType, "0", "0"};
        this.blockSize = config.blockSize();
        long capacityTokens = (long) config.usableBlocks() * blockSize;

        gauge("sglang:num_running_reqs", "The number of running requests.", s -> s.running());
        gauge("sglang:num_queue_reqs", "The number of requests in the waiting queue.", s -> s.waiting());
        gauge("sglang:num_used_tokens", "The number of used tokens.", s -> usedTokens(s));
        gauge("sglang:kv_used_tokens", "The number of KV tokens in use.", s -> usedTokens(s));
        gauge("sglang:kv_available_tokens", "The number of KV tokens available (free or evictable).",
                s -> (double) s.freeBlocks() * blockSize);
        gauge("sglang:max_total_num_tokens", "Maximum total number of tokens in the KV cache pool.",
                s -> capacityTokens);
        gauge("sglang:token_usage", "The token usage.", EngineStats::kvUsage);
        gauge("sglang:full_token_usage", "The token usage of the full-attention pool.", EngineStats::kvUsage);
        gauge("sglang:cache_hit_rate", "The prefix cache hit rate.",
                s -> s.prefixCacheQueries() == 0 ? 0 : (double) s.prefixCacheHits() / s.prefixCacheQueries());
        gauge("sglang:gen_throughput", "The generation throughput (token/s).", s -> currentThroughput());
        gauge("sglang:num_prefill_inflight_queue_reqs",
                "Prefilled requests whose KV waits for the decode side to pick it up.", s -> s.pinned());

        counter("sglang:prompt_tokens", "Number of prefill tokens processed.", EngineStats::promptTokens);
        counter("sglang:generation_tokens", "Number of generation tokens processed.", EngineStats::generationTokens);
        counter("sglang:num_requests", "Number of requests processed.",
                s -> s.finishedStop() + s.finishedLength() + s.finishedAbort());
        counter("sglang:num_aborted_requests", "Number of requests aborted.", EngineStats::finishedAbort);
        CounterWithCallback.builder().name("sglang:cached_tokens").help("Number of cached prompt tokens.")
                .labelNames("model_name", "engine_type", "tp_rank", "pp_rank", "cache_source")
                .callback(cb -> cb.call(stats.get().prefixCacheHits(), labelValues[0], labelValues[1], labelValues[2],
                        labelValues[3], "device"))
                .register(registry);

        ttft = histogram("sglang:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
                TTFT_BUCKETS);
        itl = histogram("sglang:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
                ITL_BUCKETS);
        e2e = histogram("sglang:e2e_request_latency_seconds", "Histogram of End-to-end request latency in seconds",
                E2E_BUCKETS);

        Info.builder().name("sglang:cache_config_info").help("Cache configuration (page size, number of pages).")
                .labelNames("page_size", "num_pages").register(registry)
                .addLabelValues(Integer.toString(blockSize), Integer.toString(config.usableBlocks()));
    }

    @Override
    public void onStep(StepResult step) {
        if (step.idle()) {
            return;
        }
        int tokens = 0;
        for (CoreEvent e : step.events()) {
            if (e instanceof CoreEvent.FirstToken || e instanceof CoreEvent.Token) {
                tokens++;
            }
        }
        if (windowStart == Long.MIN_VALUE) {
            windowStart = step.startNanos();
        }
        windowTokens += tokens;
        long elapsed = step.endNanos() - windowStart;
        if (elapsed >= WINDOW_NANOS) {
            throughput = windowTokens * 1e9 / elapsed;
            throughputAt = step.endNanos();
            windowStart = step.endNanos();
            windowTokens = 0;
        }
    }

    @Override
    public void onFirstToken(String requestId, long ttftNanos) {
        ttft.observe(ttftNanos / 1e9);
    }

    @Override
    public void onToken(String requestId, long itlNanos) {
        itl.observe(itlNanos / 1e9);
    }

    @Override
    public void onFinished(CoreEvent.Finished f) {
        if (f.times().firstTokenNanos() != CoreEvent.RequestTimes.NEVER) {
            e2e.observe((f.times().finishedNanos() - f.times().arrivalNanos()) / 1e9);
        }
    }

    @Override
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private double currentThroughput() {
        long at = throughputAt;
        // an engine that stopped generating reports 0, not its last busy second
        return at == Long.MIN_VALUE || simNow.getAsLong() - at > 2 * WINDOW_NANOS ? 0 : throughput;
    }

    private double usedTokens(EngineStats s) {
        return (double) (s.usableBlocks() - s.freeBlocks()) * blockSize;
    }

    private void gauge(String name, String help, ToDoubleFunction<EngineStats> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("model_name", "engine_type", "tp_rank", "pp_rank")
                .callback(cb -> cb.call(value.applyAsDouble(stats.get()), labelValues))
                .register(registry);
    }

    private void counter(String name, String help, ToDoubleFunction<EngineStats> value) {
        CounterWithCallback.builder().name(name).help(help)
                .labelNames("model_name", "engine_type", "tp_rank", "pp_rank")
                .callback(cb -> cb.call(value.applyAsDouble(stats.get()), labelValues))
                .register(registry);
    }

    private DistributionDataPoint histogram(String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(help).labelNames("model_name", "engine_type", "tp_rank", "pp_rank")
                .classicOnly().classicUpperBounds(buckets).withoutExemplars()
                .register(registry).labelValues(labelValues);
    }
}
