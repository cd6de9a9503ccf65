package dev.switchboard.bench.live;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

import dev.switchboard.bench.report.LatencySummary;
import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.report.TenantReport;

/**
 * Folds request results into histograms as they complete (so per-token gaps are never retained).
 * Durations are multiplied by the speed factor before recording, so every figure is in trace time.
 * Thread-safe.
 */
final class LiveStats {
    private final double speed;
    private final long sloTtftNanos;
    private final long sloItlNanos;
    private final Tally all = new Tally();
    private final Map<String, Tally> tenants = new HashMap<>();
    private final Histogram sendLag = histogram();
    private final Map<String, Long> errors = new TreeMap<>();
    private final Map<String, String> errorSamples = new TreeMap<>();
    private long usageMissing;

    LiveStats(double speed, LiveConfig.Slo slo) {
        this.speed = speed;
        this.sloTtftNanos = slo.ttft().toNanos();
        this.sloItlNanos = slo.itl().toNanos();
    }

    synchronized void record(RequestResult r, String errorDetail) {
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
    }

    synchronized long failed() {
        return all.failed;
    }

    /** First message seen per error category (for the log, not the JSON). */
    synchronized Map<String, String> errorSamples() {
        return new TreeMap<>(errorSamples);
    }

    /** Successful requests whose stream carried no usage (their token count is the chunk count). */
    synchronized long usageMissing() {
        return usageMissing;
    }

    synchronized RunReport report(String target, String model, String workload, String policy, double rateScale,
            long notSent, long wallNanos) {
        double seconds = wallNanos * speed / 1e9;
        Map<String, TenantReport> perTenant = new TreeMap<>();
        tenants.forEach((name, t) -> perTenant.put(name, t.report(seconds)));
        Double prefixHit = all.promptTokens == 0 ? null : (double) all.cachedTokens / all.promptTokens;
        return new RunReport("live", target, model, workload, policy, null, rateScale, speed, all.requests, all.failed,
                notSent, errors, round(seconds), LatencySummary.ofMicros(all.ttft), LatencySummary.ofMicros(all.itl),
                LatencySummary.ofMicros(all.e2e), LatencySummary.ofMicros(sendLag), all.outputTokens,
                rate(all.outputTokens, seconds), rate(all.requests - all.failed, seconds), rate(all.good, seconds),
                new RunReport.Slo(sloTtftNanos / 1e6, sloItlNanos / 1e6), null, prefixHit, null, perTenant);
    }

    private static double rate(long count, double seconds) {
        return seconds <= 0 ? 0 : round(count / seconds);
    }

    private static double round(double v) {
        return Math.round(v * 1e3) / 1e3;
    }

    private long micros(long wallNanos) {
        return Math.max(0, Math.round(wallNanos * speed / 1e3));
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
