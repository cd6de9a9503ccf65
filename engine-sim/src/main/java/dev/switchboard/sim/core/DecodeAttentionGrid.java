package dev.switchboard.sim.core;

import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Decode attention time of one layer as a function of batch size and per-sequence context, from a
 * measured (batch, context) grid whose rows may have different context ranges (the calibration
 * skips the largest batch x context corners).
 *
 * <p>Lookup: within a batch row, {@link LatencyCurve} over context (linear, proportional beyond the
 * row's last context: attention there is KV-read bound, time ∝ bytes); between rows, linear in batch;
 * beyond the largest batch, proportional to batch (again KV-read bound); below the smallest, the
 * smallest row. For a batch with different contexts callers pass the mean context: time is affine in
 * context for a fixed batch, so the mean gives the same answer as summing per-sequence reads.
 */
public final class DecodeAttentionGrid {
    private final int[] batches;
    private final LatencyCurve[] rows;

    private DecodeAttentionGrid(int[] batches, LatencyCurve[] rows) {
        this.batches = batches;
        this.rows = rows;
    }

    /**
     * A grid from rows keyed by batch size.
     *
     * @param rowsByBatch for each batch size (&gt;= 1), latency over context
     */
    public static DecodeAttentionGrid of(Map<Integer, LatencyCurve> rowsByBatch) {
        if (rowsByBatch.isEmpty()) {
            throw new IllegalArgumentException("a decode attention grid needs at least 1 batch row, but had 0");
        }
        SortedMap<Integer, LatencyCurve> sorted = new TreeMap<>(rowsByBatch);
        int[] batches = new int[sorted.size()];
        LatencyCurve[] rows = new LatencyCurve[sorted.size()];
        int i = 0;
        for (Map.Entry<Integer, LatencyCurve> e : sorted.entrySet()) {
            if (e.getKey() < 1) {
                throw new IllegalArgumentException("batch must be >= 1, but was " + e.getKey());
            }
            batches[i] = e.getKey();
            rows[i] = java.util.Objects.requireNonNull(e.getValue(), "row for batch " + e.getKey());
            i++;
        }
        return new DecodeAttentionGrid(batches, rows);
    }

    /** Milliseconds of one layer's decode attention for {@code batch} sequences of {@code context} tokens each. */
    public double at(int batch, double context) {
        if (batch <= 0) {
            return 0;
        }
        int last = batches.length - 1;
        if (batch <= batches[0]) {
            return rows[0].at(context);
        }
        if (batch >= batches[last]) {
            return rows[last].at(context) * ((double) batch / batches[last]);
        }
        int i = Arrays.binarySearch(batches, batch);
        if (i >= 0) {
            return rows[i].at(context);
        }
        int hi = -i - 1;
        int lo = hi - 1;
        double t = (double) (batch - batches[lo]) / (batches[hi] - batches[lo]);
        double a = rows[lo].at(context);
        return a + t * (rows[hi].at(context) - a);
    }

    /** A grid with every row transformed by {@code f(batch, row)}. */
    public DecodeAttentionGrid mapRows(BiFunction<Integer, LatencyCurve, LatencyCurve> f) {
        LatencyCurve[] out = new LatencyCurve[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = f.apply(batches[i], rows[i]);
        }
        return new DecodeAttentionGrid(batches.clone(), out);
    }

    @Override
    public String toString() {
        return "DecodeAttentionGrid[batches=" + Arrays.toString(batches) + "]";
    }
}
