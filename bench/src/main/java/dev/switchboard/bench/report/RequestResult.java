package dev.switchboard.bench.report;

/**
 * What one request measured, in nanoseconds of the run's clock (wall time for {@code live}, not yet
 * scaled by its speed factor; virtual time for {@code des}).
 *
 * @param tenant                tenant it was sent as
 * @param error                 error category ({@code "429"}, {@code "timeout"}, ...) or {@code null} on success
 * @param sendLagNanos          how late it was sent compared with its scheduled time
 * @param ttftNanos             send to first non-empty content delta, or -1 if none came
 * @param e2eNanos              send to end of stream (or to the failure)
 * @param gapsNanos             gaps between consecutive content chunks
 * @param contentChunks         chunks with non-empty content
 * @param outputTokens          completion tokens from {@code usage}, or the content chunk count if the server
 *                              sent no usage
 * @param promptTokens          prompt tokens from {@code usage}, 0 if none
 * @param cachedTokens          {@code usage.prompt_tokens_details.cached_tokens}, 0 if none
 * @param usageReported         whether the stream carried {@code usage}
 * @param predictedCachedTokens prompt tokens the scheduler predicted cached, or -1 if unknown (live)
 */
public record RequestResult(String tenant, String error, long sendLagNanos, long ttftNanos, long e2eNanos,
        long[] gapsNanos, int contentChunks, long outputTokens, long promptTokens, long cachedTokens,
        boolean usageReported, long predictedCachedTokens) {

    /** A result without a scheduler prediction (what a client can observe). */
    public RequestResult(String tenant, String error, long sendLagNanos, long ttftNanos, long e2eNanos, long[] gapsNanos,
            int contentChunks, long outputTokens, long promptTokens, long cachedTokens, boolean usageReported) {
        this(tenant, error, sendLagNanos, ttftNanos, e2eNanos, gapsNanos, contentChunks, outputTokens, promptTokens,
                cachedTokens, usageReported, -1);
    }

    /** Whether the request succeeded. */
    public boolean ok() {
        return error == null;
    }

    /** A failed request. */
    public static RequestResult failed(String tenant, String error, long sendLagNanos, long e2eNanos) {
        return new RequestResult(tenant, error, sendLagNanos, -1, e2eNanos, new long[0], 0, 0, 0, 0, false);
    }

    /** Mean inter-token gap, or 0 if there was at most one content chunk. */
    public double meanGapNanos() {
        if (gapsNanos.length == 0) {
            return 0;
        }
        long sum = 0;
        for (long g : gapsNanos) {
            sum += g;
        }
        return (double) sum / gapsNanos.length;
    }
}
