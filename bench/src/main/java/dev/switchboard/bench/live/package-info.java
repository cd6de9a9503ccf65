/**
 * The {@code live} mode: open-loop HTTP load against any OpenAI-compatible URL, with TTFT,
 * inter-token and end-to-end latency measured from the SSE stream.
 */
package dev.switchboard.bench.live;
