package dev.switchboard.adapter.load;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import dev.switchboard.contract.wire.LoadReport;

/**
 * Turns successive {@link MetricsReading}s of one engine into {@link LoadReport}s. Gauges are taken as
 * read; rates (prefix hit rate, mean TTFT and ITL, tokens per second) come from counter and histogram
 * deltas over a sliding window, because one 100 ms scrape interval rarely holds a finished request.
 * A counter that went down (engine restart) restarts the window instead of producing a negative rate.
 *
 * <p>Not thread-safe: one instance per engine, fed by that engine's scrape loop. Time is passed in, so
 * the calculation is a pure function of the readings and their timestamps.
 */
public final class LoadCalculator {
    private static final Signal[] COUNTERS = {Signal.PREFIX_HITS, Signal.PREFIX_QUERIES, Signal.TTFT, Signal.ITL,
            Signal.GENERATION_TOKENS};

    private final long windowMillis;
    private final ArrayDeque<Point> history = new ArrayDeque<>();

    private record Point(long atMillis, MetricsReading reading) {
    }

    /**
     * A computed report, or why there is none.
     *
     * @param report  the report, {@code null} when a required field is missing
     * @param missing fields that could not be read (required ones prevent the report; optional ones
     *                are reported as 0, the contract's "none")
     */
    public record Result(LoadReport report, List<LoadField> missing) {
        public Result {
            missing = List.copyOf(missing);
        }
    }

    public LoadCalculator(Duration window) {
        this.windowMillis = window.toMillis();
    }

    /** Adds a reading taken at {@code nowMillis} and computes the report for it. */
    public Result next(String endpointId, long nowMillis, MetricsReading reading, boolean healthy, boolean draining) {
        Point last = history.peekLast();
        if (last != null && (wentDown(last.reading(), reading) || nowMillis < last.atMillis())) {
            history.clear();
        }
        history.addLast(new Point(nowMillis, reading));
        // keep the newest point at least one window old as the base, drop anything older
        while (history.size() > 2) {
            Iterator<Point> it = history.iterator();
            it.next();
            if (it.next().atMillis() <= nowMillis - windowMillis) {
                history.removeFirst();
            } else {
                break;
            }
        }
        MetricsReading base = history.peekFirst().reading();
        long elapsedMillis = nowMillis - history.peekFirst().atMillis();

        List<LoadField> missing = new ArrayList<>();
        boolean complete = true;
        for (LoadField field : LoadField.values()) {
            if (!field.availableIn(reading)) {
                missing.add(field);
                complete &= !field.required();
            }
        }
        if (!complete) {
            return new Result(null, missing);
        }
        int running = count(reading.value(Signal.RUNNING));
        int waiting = count(reading.value(Signal.WAITING));
        double kvUsage = unit(reading.value(Signal.KV_USAGE));

        double hitRate = 0;
        if (reading.has(Signal.PREFIX_HITS) && reading.has(Signal.PREFIX_QUERIES)) {
            double queries = delta(base, reading, Signal.PREFIX_QUERIES, false);
            hitRate = queries > 0 ? unit(delta(base, reading, Signal.PREFIX_HITS, false) / queries) : 0;
        } else if (reading.has(Signal.HIT_RATE)) {
            hitRate = unit(reading.value(Signal.HIT_RATE));
        }
        double ttftMillis = histogramMeanMillis(base, reading, Signal.TTFT);
        double itlMillis = histogramMeanMillis(base, reading, Signal.ITL);
        double tokensPerSecond = 0;
        if (reading.has(Signal.GENERATION_TOKENS)) {
            tokensPerSecond = elapsedMillis > 0 ? delta(base, reading, Signal.GENERATION_TOKENS, false) * 1000.0 / elapsedMillis : 0;
        } else if (reading.has(Signal.THROUGHPUT)) {
            tokensPerSecond = nonNegative(reading.value(Signal.THROUGHPUT));
        }
        LoadReport report = new LoadReport(endpointId, nowMillis, running, waiting, kvUsage, hitRate, ttftMillis, itlMillis,
                tokensPerSecond, healthy, draining);
        return new Result(report, missing);
    }

    private static double histogramMeanMillis(MetricsReading base, MetricsReading now, Signal histogram) {
        if (!now.has(histogram)) {
            return 0;
        }
        double count = delta(base, now, histogram, true);
        return count > 0 ? nonNegative(delta(base, now, histogram, false) / count * 1000.0) : 0;
    }

    /** Increase of a counter (or histogram sum/count) from {@code base} to {@code now}; 0 if base lacks it. */
    private static double delta(MetricsReading base, MetricsReading now, Signal signal, boolean histogramCount) {
        if (!base.has(signal) || !now.has(signal) || base == now) {
            return 0;
        }
        double d = histogramCount ? now.count(signal) - base.count(signal) : now.value(signal) - base.value(signal);
        return Double.isFinite(d) && d > 0 ? d : 0;
    }

    private static boolean wentDown(MetricsReading before, MetricsReading after) {
        for (Signal s : COUNTERS) {
            if (before.has(s) && after.has(s)
                    && (after.value(s) < before.value(s) || after.count(s) < before.count(s))) {
                return true;
            }
        }
        return false;
    }

    private static int count(double v) {
        if (!Double.isFinite(v) || v <= 0) {
            return 0;
        }
        return v >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.round(v);
    }

    private static double unit(double v) {
        if (Double.isNaN(v) || v <= 0) {
            return 0;
        }
        return Math.min(v, 1.0);
    }

    private static double nonNegative(double v) {
        return Double.isFinite(v) && v > 0 ? v : 0;
    }
}
