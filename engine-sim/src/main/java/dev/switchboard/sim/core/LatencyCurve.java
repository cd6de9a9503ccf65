package dev.switchboard.sim.core;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

/**
 * A measured latency as a function of one size (tokens, sequences, context, attention pairs), from
 * a table of points.
 *
 * <p>Lookup rule, and why:
 * <ul>
 *   <li><b>between points: linear.</b> GPU kernel time is close to a roofline, {@code max(a, b·x)}, i.e.
 *       flat (latency/weight-read bound) then affine (compute/bandwidth bound). Linear interpolation
 *       is exact on affine pieces; log-log interpolation is exact only for pure power laws and
 *       overshoots more in the flat-to-linear bend. Leave-one-out check on the llama-3-8b dense table:
 *       256 tokens from the 128 and 512 points gives 0.279 ms linear, 0.296 ms log-log, 0.253 ms
 *       measured; 2048 from 1024 and 4096 gives 1.594 linear, 1.603 log-log, 1.563 measured.</li>
 *   <li><b>below the first point: the first value.</b> Nothing runs faster than the smallest measured
 *       kernel (launch latency floor).</li>
 *   <li><b>above the last point: proportional</b> ({@code y_last · x / x_last}). Every table ends in
 *       its throughput-bound regime, where time grows with work; e.g. the LM head at 1024 sequences
 *       gives 1.81 ms, what its 1.08 TFLOP at ~600 TFLOP/s achieved costs.</li>
 * </ul>
 * Instances are immutable.
 */
public final class LatencyCurve {
    private final double[] xs;
    private final double[] ms;

    private LatencyCurve(double[] xs, double[] ms) {
        this.xs = xs;
        this.ms = ms;
    }

    /**
     * A curve through the given points.
     *
     * @param xs sizes, strictly increasing and &gt; 0
     * @param ms latency in milliseconds at each size, each &gt; 0
     */
    public static LatencyCurve of(double[] xs, double[] ms) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("a latency curve needs at least 1 point, but had 0");
        }
        if (xs.length != ms.length) {
            throw new IllegalArgumentException("xs and ms must have the same length, but had " + xs.length + " and " + ms.length);
        }
        for (int i = 0; i < xs.length; i++) {
            if (!(xs[i] > 0) || Double.isInfinite(xs[i])) {
                throw new IllegalArgumentException("xs[" + i + "] must be a finite number > 0, but was " + xs[i]);
            }
            if (!(ms[i] > 0) || Double.isInfinite(ms[i])) {
                throw new IllegalArgumentException("ms[" + i + "] must be a finite number > 0, but was " + ms[i]);
            }
            if (i > 0 && xs[i] <= xs[i - 1]) {
                throw new IllegalArgumentException("xs must be strictly increasing, but xs[" + i + "]=" + xs[i]
                        + " <= xs[" + (i - 1) + "]=" + xs[i - 1]);
            }
        }
        return new LatencyCurve(xs.clone(), ms.clone());
    }

    /** Latency in milliseconds at size {@code x} (see the class comment for the rule). */
    public double at(double x) {
        int last = xs.length - 1;
        if (x <= xs[0]) {
            return ms[0];
        }
        if (x >= xs[last]) {
            return ms[last] * (x / xs[last]);
        }
        int i = Arrays.binarySearch(xs, x);
        if (i >= 0) {
            return ms[i];
        }
        int hi = -i - 1;
        int lo = hi - 1;
        double t = (x - xs[lo]) / (xs[hi] - xs[lo]);
        return ms[lo] + t * (ms[hi] - ms[lo]);
    }

    /** The smallest and largest measured sizes. */
    public double minX() {
        return xs[0];
    }

    /** The largest measured size. */
    public double maxX() {
        return xs[xs.length - 1];
    }

    /** Number of points. */
    public int size() {
        return xs.length;
    }

    /**
     * A curve with every point's latency replaced by {@code f(x, ms)}, e.g. to derive another GPU's
     * curve from this one.
     */
    public LatencyCurve mapPoints(DoubleBinaryOperator f) {
        double[] out = new double[ms.length];
        for (int i = 0; i < ms.length; i++) {
            out[i] = f.applyAsDouble(xs[i], ms[i]);
        }
        return of(xs, out);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("LatencyCurve[");
        for (int i = 0; i < xs.length; i++) {
            b.append(i == 0 ? "" : ", ").append(xs[i]).append("->").append(ms[i]).append("ms");
        }
        return b.append(']').toString();
    }
}
