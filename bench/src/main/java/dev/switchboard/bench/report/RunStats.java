package dev.switchboard.bench.report;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import org.HdrHistogram.Histogram;

/**
 * Folds request results into histograms as they complete and turns them into a {@link RunReport};
 * shared by every mode ({@code live} records wall-clock results, {@code des} virtual-time ones).
 * Durations are multiplied by the speed factor before recording, so every figure is in trace time.
 * Thread-safe.
 */
public final class RunStats {
    private final double speed;
    private final long sloTtftNanos;
    private final long sloItlNanos;
    private final Tally all = new Tally();
    private final Map<String, Tally> tenants = new HashMap<>();
    private final Histogram sendLag = histogram();
    private final Map<String, Long> errors = new TreeMap<>();
    private final Map<String, String> errorSamples = new TreeMap<>();
    private final BackloggedFairness backlogged = new BackloggedFairness();
    private ToDoubleFunction<String> weights = tenant -> 1;
    private long usageMissing;
    private long lateOrFailed;

    /**
     * What a run was, for its report.
     *
     * @param mode      {@code live}, {@code des}, {@code overhead}
     * @param target    URL or cluster spec
     * @param model     model requested
     * @param workload  workload name
     * @param policy    scheduling policy, or {@code null} if unknown
     * @param admission admission mode, or {@code null} if unknown
     * @param rateScale arrival-rate multiplier applied to the workload
     */
    public record Labels(String mode, String target, String model, String workload, String policy, String admission,
            double rateScale) {
        public Labels {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * @param speed   measured durations are multiplied by it (1 in virtual time)
     * @param sloTtft goodput counts requests with TTFT at most this (trace time) ...
     * @param sloItl  ... and mean inter-token latency at most this
     */
    public RunStats(double speed, Duration sloTtft, Duration sloItl) {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a positive finite number, but was " + speed);
        }
        this.speed = speed;
        this.sloTtftNanos = sloTtft.toNanos();
        this.sloItlNanos = sloItl.toNanos();
    }

    /** Tenants' weights for the fairness index (service is divided by them); 1 for everyone by default. */
    public synchronized RunStats weights(ToDoubleFunction<String> value) {
        weights = Objects.requireNonNull(value, "value");
        return this;
    }

    /**
     * Records one finished (or failed) request sent at {@code sentNanos} on the run's clock (from its
     * start), so that it counts for the fairness index among backlogged tenants: it kept its tenant
     * backlogged until {@code waitedUntilNanos} (when it left the scheduler's queue, known in virtual
     * time), or, if that is negative, until its first token or failure (all a client sees).
     */
    public synchronized void record(RequestResult r, String errorDetail, long sentNanos, long waitedUntilNanos) {
        record(r, errorDetail);
        long first = r.ok() && r.ttftNanos() >= 0 ? sentNanos + r.ttftNanos() : -1;
        long end = sentNanos + r.e2eNanos();
        long waited = waitedUntilNanos >= 0 ? waitedUntilNanos : first >= 0 ? first : end;
        backlogged.add(r.tenant(), sentNanos, waited, waitedUntilNanos >= 0, first, end, r.ok() ? r.promptTokens() : 0,
                r.ok() ? r.outputTokens() : 0);
    }

    /**
     * Records one finished (or failed) request; {@code errorDetail} is kept as the first sample of its
     * error. Without its send time it does not count for the fairness index.
     */
    public synchronized void record(RequestResult r, String errorDetail) {
        // client health, not system latency: wall time, never scaled by the speed factor
        sendLag.recordValue(Math.max(0, r.sendLagNanos() / 1_000));
        all.record(r);
        tenants.computeIfAbsent(r.tenant(), t -> new Tally()).record(r);
        if (!r.ok()) {
            errors.merge(r.error(), 1L, Long::sum);
            if (errorDetail != null) {
                errorSamples.putIfAbsent(r.error(), errorDetail);
            }
        } else if (!r.usageReported()) {
            usageMissing++;
        }
        if (!r.ok() || r.ttftNanos() < 0 || r.ttftNanos() * speed > sloTtftNanos) {
            lateOrFailed++;
        }
    }

    /** Requests recorded so far. */
    public synchronized long requests() {
        return all.requests;
    }

    /** Failed requests so far. */
    public synchronized long failed() {
        return all.failed;
    }

    /** Requests so far that failed or whose TTFT exceeded the SLO bound. */
    public synchronized long lateOrFailed() {
        return lateOrFailed;
    }

    /**
     * The most requests of {@code total} that may fail or miss the TTFT bound while the run's TTFT p90
     * still meets it (a failed request counts as an infinite TTFT).
     */
    public static long allowedLate(long total) {
        return total - (long) Math.ceil(total * 0.9);
    }

    /**
     * Whether the run met the SLO as a whole: TTFT p90 (failures counting as misses) within the TTFT
     * bound, and p90 of all inter-token gaps within the inter-token bound ({@code capacity}'s criterion).
     *
     * @param total requests the run was meant to have (those never recorded count as misses)
     */
    public synchronized boolean sloMet(long total) {
        long missing = Math.max(0, total - all.requests);
        if (lateOrFailed + missing > allowedLate(total)) {
            return false;
        }
        return all.itl.getTotalCount() == 0 || all.itl.getValueAtPercentile(90) <= sloItlNanos / 1_000;
    }

    /** First message seen per error category (for the log, not the JSON). */
    public synchronized Map<String, String> errorSamples() {
        return new TreeMap<>(errorSamples);
    }

    /** Successful requests whose stream carried no usage (their token count is the chunk count). */
    public synchronized long usageMissing() {
        return usageMissing;
    }

    /** The TTFT histogram of all requests, in microseconds of trace time (a copy; for CDF charts). */
    public synchronized Histogram ttftMicros() {
        return all.ttft.copy();
    }

    /**
     * The report.
     *
     * @param labels        what the run was
     * @param notSent       requests not sent because the run's duration ran out
     * @param durationNanos from the first send to the last completion, on the run's clock
     * @param simulation    virtual-time details ({@code des}), or {@code null}; with it, send lag is {@code null}
     *                      (nothing is sent) and requests left unfinished ({@code notSent}, an aborted
     *                      replay) count as SLO misses
     */
    public synchronized RunReport report(Labels labels, long notSent, long durationNanos, RunReport.Simulation simulation) {
        double seconds = durationNanos * speed / 1e9;
        Map<String, TenantReport> perTenant = new TreeMap<>();
        tenants.forEach((name, t) -> perTenant.put(name, t.report(seconds)));
        Double prefixHit = all.promptTokens == 0 ? null : round(all.cachedTokens / (double) all.promptTokens);
        Double predicted = all.predictedPromptTokens == 0 ? null
                : round(all.predictedCachedTokens / (double) all.predictedPromptTokens);
        return new RunReport(labels.mode(), labels.target(), labels.model(), labels.workload(), labels.policy(),
                labels.admission(), labels.rateScale(), speed, all.requests, all.failed, notSent, errors, round(seconds),
                LatencySummary.ofMicros(all.ttft), LatencySummary.ofMicros(all.itl), LatencySummary.ofMicros(all.e2e),
                simulation == null ? LatencySummary.ofMicros(sendLag) : null, all.outputTokens,
                rate(all.outputTokens, seconds), rate(all.requests - all.failed, seconds), rate(all.good, seconds),
                new RunReport.Slo(sloTtftNanos / 1e6, sloItlNanos / 1e6), predicted, prefixHit, fairness(),
                perTenant, sloMet(simulation == null ? all.requests : all.requests + notSent), simulation);
    }

    /**
     * Jain's fairness index over token service (prompt plus output tokens, divided by the tenant's weight)
     * among backlogged tenants, over {@value BackloggedFairness#WINDOW_NANOS} ns windows (see
     * {@link BackloggedFairness}); {@code null} with fewer than two tenants or when no window had two
     * tenants backlogged at once.
     */
    private Double fairness() {
        return tenants.size() < 2 ? null : backlogged.index(weights);
    }

    private static double rate(long count, double seconds) {
        return seconds <= 0 ? 0 : round(count / seconds);
    }

    private static double round(double v) {
        return Math.round(v * 1e3) / 1e3;
    }

    private long micros(long nanos) {
        return Math.max(0, Math.round(nanos * speed / 1e3));
    }

    private static Histogram histogram() {
        // auto-resizing, 3 significant digits: 0.1% error at any magnitude
        Histogram h = new Histogram(3);
        h.setAutoResize(true);
        return h;
    }

    /** Counters and histograms of one tenant (or of all). */
    private final class Tally {
        final Histogram ttft = histogram();
        final Histogram itl = histogram();
        final Histogram e2e = histogram();
        long requests;
        long failed;
        long good;
        long outputTokens;
        long promptTokens;
        long cachedTokens;
        long predictedCachedTokens;
        long predictedPromptTokens;

        void record(RequestResult r) {
            requests++;
            if (!r.ok()) {
                failed++;
                return;
            }
            if (r.ttftNanos() >= 0) {
                ttft.recordValue(micros(r.ttftNanos()));
            }
            for (long gap : r.gapsNanos()) {
                itl.recordValue(micros(gap));
            }
            e2e.recordValue(micros(r.e2eNanos()));
            outputTokens += r.outputTokens();
            promptTokens += r.promptTokens();
            cachedTokens += r.cachedTokens();
            if (r.predictedCachedTokens() >= 0) {
                predictedCachedTokens += r.predictedCachedTokens();
                predictedPromptTokens += r.promptTokens();
            }
            // SLO in trace time, like everything reported
            if (r.ttftNanos() >= 0 && r.ttftNanos() * speed <= sloTtftNanos && r.meanGapNanos() * speed <= sloItlNanos) {
                good++;
            }
        }

        TenantReport report(double seconds) {
            return new TenantReport(requests, failed, LatencySummary.ofMicros(ttft), LatencySummary.ofMicros(itl),
                    LatencySummary.ofMicros(e2e), rate(outputTokens, seconds));
        }
    }
}
