package dev.switchboard.bench.capacity;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoublePredicate;

/**
 * Finds the highest rate scale at which an SLO holds, assuming it holds below some scale and fails
 * above it: from a start scale, doubles (or halves) until the answer changes, then bisects the bracket
 * until it is narrow enough or the probe budget is spent. Each probe is one full replay, so the budget
 * is small and every probe is kept for the report.
 */
public final class CapacitySearch {
    /** Scales are rounded to this many significant digits (readable reports, and no pointless probes). */
    private static final int DIGITS = 3;

    /**
     * Bounds of a search.
     *
     * @param start     first scale probed
     * @param min       lowest scale probed when halving
     * @param max       highest scale probed when doubling
     * @param maxProbes most probes (replays) in all
     * @param precision stop once {@code (upper - lower) / lower} is at most this
     */
    public record Bounds(double start, double min, double max, int maxProbes, double precision) {
        public Bounds {
            positive("start", start);
            positive("min", min);
            positive("max", max);
            if (!(min <= start && start <= max)) {
                throw new IllegalArgumentException("the start scale " + start + " must lie in [" + min + ", " + max + "]");
            }
            if (maxProbes < 2) {
                throw new IllegalArgumentException("at least 2 probes are needed to bracket the capacity, but maxProbes was "
                        + maxProbes);
            }
            positive("precision", precision);
        }

        private static void positive(String what, double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(what + " must be a positive finite number, but was " + v);
            }
        }
    }

    /**
     * One probe.
     *
     * @param rateScale scale probed
     * @param sloMet    whether the SLO held there
     */
    public record Probe(double rateScale, boolean sloMet) {
    }

    /**
     * The answer.
     *
     * @param capacity  highest scale probed at which the SLO held (the bracket's lower end); 0 if it held nowhere
     * @param lower     same as {@code capacity}
     * @param upper     lowest scale probed at which it failed above {@code lower}, or {@code null} if it held up to
     *                  the maximum
     * @param converged whether the bracket is within the precision (otherwise the probe budget ran out or
     *                  a bound was hit)
     * @param probes    every probe, in order
     */
    public record Result(double capacity, double lower, Double upper, boolean converged, List<Probe> probes) {
        public Result {
            probes = List.copyOf(probes);
        }
    }

    private CapacitySearch() {
    }

    /** Searches with {@code sloHolds} telling whether the SLO holds at a scale. */
    public static Result search(Bounds bounds, DoublePredicate sloHolds) {
        Objects.requireNonNull(bounds, "bounds");
        Objects.requireNonNull(sloHolds, "sloHolds");
        List<Probe> probes = new ArrayList<>();
        double lower = 0;
        double upper = Double.NaN;
        double s = round(bounds.start());
        if (probe(s, sloHolds, probes)) {
            lower = s;
            // grow until it fails
            while (probes.size() < bounds.maxProbes() && lower < bounds.max()) {
                double next = round(Math.min(bounds.max(), lower * 2));
                if (probe(next, sloHolds, probes)) {
                    lower = next;
                } else {
                    upper = next;
                    break;
                }
            }
        } else {
            upper = s;
            // shrink until it holds
            while (probes.size() < bounds.maxProbes() && upper > bounds.min()) {
                double next = round(Math.max(bounds.min(), upper / 2));
                if (probe(next, sloHolds, probes)) {
                    lower = next;
                    break;
                }
                upper = next;
            }
        }
        if (lower > 0 && !Double.isNaN(upper)) {
            while (probes.size() < bounds.maxProbes() && (upper - lower) / lower > bounds.precision()) {
                double mid = round((lower + upper) / 2);
                if (mid <= lower || mid >= upper) {
                    break; // the bracket is as narrow as the rounding allows
                }
                if (probe(mid, sloHolds, probes)) {
                    lower = mid;
                } else {
                    upper = mid;
                }
            }
        }
        boolean converged = lower > 0 && !Double.isNaN(upper) && (upper - lower) / lower <= bounds.precision() + 1e-9;
        return new Result(lower, lower, Double.isNaN(upper) ? null : upper, converged, probes);
    }

    private static boolean probe(double scale, DoublePredicate sloHolds, List<Probe> probes) {
        boolean met = sloHolds.test(scale);
        probes.add(new Probe(scale, met));
        return met;
    }

    /** {@code v} to {@value #DIGITS} significant digits. */
    static double round(double v) {
        if (v == 0) {
            return 0;
        }
        double magnitude = Math.pow(10, DIGITS - 1 - (int) Math.floor(Math.log10(Math.abs(v))));
        return Math.round(v * magnitude) / magnitude;
    }
}
