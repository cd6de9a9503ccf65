package dev.switchboard.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Jain's fairness index over token service among <em>backlogged</em> tenants, as fair queueing defines
 * fairness: a tenant whose demand is met is not owed more, so only tenants that wanted more than they
 * got are compared. Time is cut into windows; in each, a tenant is backlogged when it had a request
 * waiting throughout the window (in the scheduler's queue where the replay knows it, else for its first
 * token or failure), and its service is the tokens it was granted in the window (prompt plus output
 * tokens of the requests that left the queue in it, where known; else those the engine delivered in it:
 * prompt tokens at the first token, output tokens spread evenly to the last) divided by its weight. The index is the mean, over windows with at
 * least two backlogged tenants, of (sum x)^2 / (n sum x^2); {@code null} if no window has two.
 * Not thread-safe (its owner synchronises).
 */
final class BackloggedFairness {
    /** Window length: long enough to hold many requests of each backlogged tenant. */
    static final long WINDOW_NANOS = 5_000_000_000L;

    private record Span(String tenant, long sent, long waitedUntil, boolean grantedAtDequeue, long firstToken, long end,
            long promptTokens, long outputTokens) {
    }

    private final List<Span> spans = new ArrayList<>();

    /**
     * One request: sent at {@code sentNanos} on the run's clock, waiting (its tenant backlogged) until
     * {@code waitedUntilNanos}; {@code firstTokenNanos} < 0 if it failed. With {@code grantedAtDequeue}
     * its tokens count as service when it left the queue (what admission grants: the engine then serves
     * them over many seconds of decoding, which would smear one window's grants over the next ones);
     * otherwise when the engine delivered them.
     */
    void add(String tenant, long sentNanos, long waitedUntilNanos, boolean grantedAtDequeue, long firstTokenNanos,
            long endNanos, long promptTokens, long outputTokens) {
        spans.add(new Span(tenant, sentNanos, Math.max(sentNanos, waitedUntilNanos), grantedAtDequeue, firstTokenNanos,
                Math.max(endNanos, sentNanos), promptTokens, outputTokens));
    }

    /** The index with service divided by {@code weight} (positive) per tenant. */
    Double index(ToDoubleFunction<String> weight) {
        if (spans.isEmpty()) {
            return null;
        }
        long horizon = spans.stream().mapToLong(Span::end).max().orElse(0);
        int windows = (int) (horizon / WINDOW_NANOS); // whole windows only
        Map<String, List<long[]>> waiting = new HashMap<>();
        Map<String, double[]> service = new HashMap<>();
        for (Span s : spans) {
            waiting.computeIfAbsent(s.tenant(), t -> new ArrayList<>()).add(new long[] {s.sent(), s.waitedUntil()});
            double[] served = service.computeIfAbsent(s.tenant(), t -> new double[windows]);
            if (s.firstToken() >= 0 && s.grantedAtDequeue()) {
                addService(served, s.waitedUntil(), s.waitedUntil(), s.promptTokens() + s.outputTokens());
            } else if (s.firstToken() >= 0) {
                addService(served, s.firstToken(), s.firstToken(), s.promptTokens());
                addService(served, s.firstToken(), s.end(), s.outputTokens());
            }
        }
        waiting.values().forEach(list -> list.sort(Comparator.comparingLong(i -> i[0])));
        double sum = 0;
        int counted = 0;
        for (int w = 0; w < windows; w++) {
            long from = w * WINDOW_NANOS;
            long to = from + WINDOW_NANOS;
            double x = 0;
            double x2 = 0;
            int n = 0;
            for (Map.Entry<String, List<long[]>> e : waiting.entrySet()) {
                if (covers(e.getValue(), from, to)) {
                    double v = service.get(e.getKey())[w] / weight.applyAsDouble(e.getKey());
                    x += v;
                    x2 += v * v;
                    n++;
                }
            }
            if (n >= 2 && x2 > 0) {
                sum += x * x / (n * x2);
                counted++;
            }
        }
        return counted == 0 ? null : Math.round(sum / counted * 1e3) / 1e3;
    }

    /** Adds {@code tokens} spread evenly over [from, to] (all at {@code from} if empty) to the windows. */
    private static void addService(double[] windows, long from, long to, long tokens) {
        if (tokens <= 0) {
            return;
        }
        if (to <= from) {
            int w = (int) (from / WINDOW_NANOS);
            if (w < windows.length) {
                windows[w] += tokens;
            }
            return;
        }
        double perNano = (double) tokens / (to - from);
        for (int w = (int) (from / WINDOW_NANOS); w < windows.length && w * WINDOW_NANOS < to; w++) {
            long a = Math.max(from, w * WINDOW_NANOS);
            long b = Math.min(to, (w + 1) * WINDOW_NANOS);
            windows[w] += (b - a) * perNano;
        }
    }

    /** Whether the union of {@code intervals} ([start, end), sorted by start) covers [from, to) entirely. */
    private static boolean covers(List<long[]> intervals, long from, long to) {
        long reached = from;
        for (long[] i : intervals) {
            if (i[0] > reached) {
                if (i[0] >= to) {
                    break;
                }
                return false;
            }
            reached = Math.max(reached, i[1]);
            if (reached >= to) {
                return true;
            }
        }
        return reached >= to;
    }
}
