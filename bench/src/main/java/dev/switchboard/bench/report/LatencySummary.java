package dev.switchboard.bench.report;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency, in milliseconds. All zero (and {@code count} 0) when nothing was
 * measured.
 *
 * @param p50   median
 * @param p90   90th percentile
 * @param p99   99th percentile
 * @param mean  mean
 * @param max   maximum
 * @param count number of samples
 */
public record LatencySummary(double p50, double p90, double p99, double mean, double max, long count) {
    /** Nothing measured. */
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0);

    /** The summary of a histogram recorded in microseconds. */
    public static LatencySummary ofMicros(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(90)),
                ms(micros.getValueAtPercentile(99)), round(micros.getMean() / 1e3), ms(micros.getMaxValue()),
                micros.getTotalCount());
    }

    private static double ms(long micros) {
        return round(micros / 1e3);
    }

    // three decimals (a microsecond) is all a millisecond figure can honestly carry
    private static double round(double ms) {
        return Math.round(ms * 1e3) / 1e3;
    }
}
