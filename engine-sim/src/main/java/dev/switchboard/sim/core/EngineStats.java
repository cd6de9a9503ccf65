package dev.switchboard.sim.core;

/**
 * A snapshot of an engine's live state and counters (the inputs of {@code vllm:*} / {@code sglang:*}
 * metrics). Counters are cumulative since the core was created.
 *
 * @param running              requests in the running batch ({@code vllm:num_requests_running})
 * @param waiting              requests waiting, including those waiting for a KV transfer
 *                             ({@code vllm:num_requests_waiting})
 * @param pinned               finished prefill-role requests whose KV awaits pickup
 * @param numGpuBlocks         KV blocks including the null block
 * @param freeBlocks           blocks not referenced by any request (cached-but-evictable included)
 * @param cachedBlocks         blocks holding a reusable prefix (referenced or not)
 * @param kvUsage              {@code 1 - freeBlocks / (numGpuBlocks - 1)} ({@code vllm:kv_cache_usage_perc})
 * @param prefixCacheQueries   prompt tokens looked up in the prefix cache
 * @param prefixCacheHits      of those, tokens found
 * @param preemptions          preemptions ({@code vllm:num_preemptions_total})
 * @param promptTokens         prompt tokens of requests that produced a first token
 * @param generationTokens     output tokens generated
 * @param finishedStop         requests finished with {@code stop}
 * @param finishedLength       requests finished with {@code length}
 * @param finishedAbort        requests aborted
 * @param kvPickupTimeouts     pinned KV freed because nobody picked it up in time
 * @param steps                non-idle steps run
 * @param busyNanos            sum of step durations
 */
public record EngineStats(int running, int waiting, int pinned, int numGpuBlocks, int freeBlocks, int cachedBlocks,
                          double kvUsage, long prefixCacheQueries, long prefixCacheHits, long preemptions,
                          long promptTokens, long generationTokens, long finishedStop, long finishedLength,
                          long finishedAbort, long kvPickupTimeouts, long steps, long busyNanos) {

    /** Blocks requests can use ({@code numGpuBlocks - 1}). */
    public long usableBlocks() {
        return numGpuBlocks - 1L;
    }
}
