package dev.switchboard.adapter.load;

import java.util.List;

import dev.switchboard.contract.EngineKind;

/**
 * vLLM V1 metric names ({@code vllm/v1/metrics/loggers.py}) with the names they replaced:
 * {@code gpu_cache_usage_perc} (deprecated 0.9), {@code gpu_prefix_cache_*} (deprecated 0.9) and
 * {@code time_per_output_token_seconds} (deprecated 0.11, removed 0.13). Counters are exposed with the
 * {@code _total} suffix by prometheus_client; the bare names are accepted too.
 */
public enum VllmMetricsMapping implements MetricsMapping {
    INSTANCE;

    @Override
    public EngineKind kind() {
        return EngineKind.VLLM;
    }

    @Override
    public List<String> names(Signal signal) {
        return switch (signal) {
            case RUNNING -> List.of("vllm:num_requests_running");
            case WAITING -> List.of("vllm:num_requests_waiting");
            case KV_USAGE -> List.of("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc");
            case PREFIX_HITS -> List.of("vllm:prefix_cache_hits_total", "vllm:prefix_cache_hits",
                    "vllm:gpu_prefix_cache_hits_total", "vllm:gpu_prefix_cache_hits");
            case PREFIX_QUERIES -> List.of("vllm:prefix_cache_queries_total", "vllm:prefix_cache_queries",
                    "vllm:gpu_prefix_cache_queries_total", "vllm:gpu_prefix_cache_queries");
            case HIT_RATE -> List.of();
            case TTFT -> List.of("vllm:time_to_first_token_seconds");
            case ITL -> List.of("vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds");
            case GENERATION_TOKENS -> List.of("vllm:generation_tokens_total", "vllm:generation_tokens");
            case THROUGHPUT -> List.of();
        };
    }
}
