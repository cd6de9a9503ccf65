package dev.switchboard.bench.report;

import java.util.Objects;

/**
 * One request path at one fixed rate in the {@code overhead} comparison, with the latency it adds over
 * the direct path at the same rate (positive = slower than direct).
 *
 * @param path            {@code direct}, {@code gateway} or {@code nginx}
 * @param url             the base URL requests went to
 * @param rateRps         requests per second sent
 * @param requests        requests sent
 * @param failed          requests that failed
 * @param ttftMs          time to first token
 * @param e2eMs           end-to-end latency
 * @param addedTtftP50Ms  TTFT p50 minus direct's
 * @param addedTtftP99Ms  TTFT p99 minus direct's
 * @param addedE2eP50Ms   end-to-end p50 minus direct's
 * @param addedE2eP99Ms   end-to-end p99 minus direct's
 */
public record OverheadPoint(String path, String url, double rateRps, long requests, long failed, LatencySummary ttftMs,
        LatencySummary e2eMs, double addedTtftP50Ms, double addedTtftP99Ms, double addedE2eP50Ms, double addedE2eP99Ms) {
    public OverheadPoint {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(ttftMs, "ttftMs");
        Objects.requireNonNull(e2eMs, "e2eMs");
    }

    /** The point of {@code path} measured by {@code run}, compared with {@code direct} at the same rate. */
    public static OverheadPoint of(String path, String url, double rateRps, RunReport run, RunReport direct) {
        return new OverheadPoint(path, url, rateRps, run.requests(), run.failed(), run.ttftMs(), run.e2eMs(),
                diff(run.ttftMs().p50(), direct.ttftMs().p50()), diff(run.ttftMs().p99(), direct.ttftMs().p99()),
                diff(run.e2eMs().p50(), direct.e2eMs().p50()), diff(run.e2eMs().p99(), direct.e2eMs().p99()));
    }

    private static double diff(double a, double b) {
        return Math.round((a - b) * 1e3) / 1e3;
    }
}
