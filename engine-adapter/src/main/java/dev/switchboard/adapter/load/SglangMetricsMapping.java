package dev.switchboard.adapter.load;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.contract.EngineKind;

/**
 * SGLang metric names ({@code python/sglang/srt/observability/metrics_collector.py}). The engine
 * exposes the colon prefix ({@code sglang:}); the underscore prefix ({@code sglang_}) seen behind
 * sgl-router and some scrapers is accepted too. Prefix hit rate and throughput prefer the counters
 * ({@code cached_tokens_total}/{@code prompt_tokens_total}, {@code generation_tokens_total}); the
 * engine's own {@code cache_hit_rate} and {@code gen_throughput} gauges are the fallback.
 */
public enum SglangMetricsMapping implements MetricsMapping {
    INSTANCE;

    @Override
    public EngineKind kind() {
        return EngineKind.SGLANG;
    }

    @Override
    public List<String> names(Signal signal) {
        return switch (signal) {
            case RUNNING -> both("num_running_reqs");
            case WAITING -> both("num_queue_reqs");
            case KV_USAGE -> both("token_usage");
            case PREFIX_HITS -> both("cached_tokens_total", "cached_tokens");
            case PREFIX_QUERIES -> both("prompt_tokens_total", "prompt_tokens");
            case HIT_RATE -> both("cache_hit_rate");
            case TTFT -> both("time_to_first_token_seconds");
            case ITL -> both("inter_token_latency_seconds", "time_per_output_token_seconds");
            case GENERATION_TOKENS -> both("generation_tokens_total", "generation_tokens");
            case THROUGHPUT -> both("gen_throughput");
        };
    }

    /** Each name with the colon prefix first, then with the underscore prefix. */
    private static List<String> both(String... names) {
        List<String> out = new ArrayList<>(names.length * 2);
        for (String n : names) {
            out.add("sglang:" + n);
        }
        for (String n : names) {
            out.add("sglang_" + n);
        }
        return List.copyOf(out);
    }
}
