package dev.switchboard.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Renders a {@link RunReport} as the plain-text summary printed at the end of a run. */
public final class SummaryTable {
    private SummaryTable() {
    }

    /** The summary, several lines, ending with a line separator. */
    public static String render(RunReport r) {
        StringBuilder out = new StringBuilder();
        line(out, "%s run: %s, model %s, workload %s, rate scale %s, speed %s", r.mode(), r.target(), r.model(),
                r.workload(), num(r.rateScale()), num(r.speed()));
        line(out, "requests: %d sent, %d ok, %d failed%s%s, over %.2f s%s", r.requests(), r.requests() - r.failed(),
                r.failed(), r.errors().isEmpty() ? "" : " " + new TreeMap<>(r.errors()),
                r.notSent() > 0 ? ", " + r.notSent() + " not sent (duration reached)" : "", r.durationS(),
                r.speed() != 1 ? " (trace time)" : "");
        line(out, "");
        line(out, "%-14s %10s %10s %10s %10s %10s", "latency (ms)", "p50", "p90", "p99", "mean", "max");
        row(out, "TTFT", r.ttftMs());
        row(out, "inter-token", r.itlMs());
        row(out, "end-to-end", r.e2eMs());
        if (r.sendLagMs() != null) {
            row(out, "send lag (wall)", r.sendLagMs());
        }
        line(out, "");
        line(out, "throughput: %.2f req/s, %.1f output tok/s (%d tokens); goodput %.2f req/s at TTFT <= %s ms, ITL <= %s ms",
                r.requestsPerS(), r.outputTokensPerS(), r.outputTokens(), r.goodputRps(), num(r.slo().ttftMs()),
                num(r.slo().itlMs()));
        if (r.prefixHitActual() != null) {
            line(out, "prefix cache hits reported by engines: %.1f%% of prompt tokens%s", r.prefixHitActual() * 100,
                    r.prefixHitPredicted() == null ? ""
                            : String.format(Locale.ROOT, " (scheduler predicted %.1f%%)", r.prefixHitPredicted() * 100));
        }
        if (r.sloMet() != null) {
            line(out, "SLO (TTFT p90 <= %s ms, inter-token p90 <= %s ms): %s", num(r.slo().ttftMs()), num(r.slo().itlMs()),
                    r.sloMet() ? "met" : "missed");
        }
        if (r.fairnessIndex() != null) {
            line(out, "fairness (Jain's index over token service among backlogged tenants): %.3f", r.fairnessIndex());
        }
        RunReport.Simulation sim = r.simulation();
        if (sim != null) {
            line(out, "simulation: %d engines, %d steps, %d preemptions, %d unified + %d disaggregated decisions, "
                    + "%.1f s virtual in %.2f s wall%s%s", sim.engines(), sim.steps(), sim.preemptions(), sim.decisionsUnified(),
                    sim.decisionsDisaggregated(), sim.virtualS(), sim.wallS(), sim.kvEvents() ? ", KV events on" : "",
                    sim.aborted() ? ", ABORTED early (TTFT SLO out of reach)" : "");
        }
        if (r.perTenant().size() > 1) {
            line(out, "");
            line(out, "%-14s %8s %7s %10s %10s %10s %10s %10s", "tenant", "requests", "failed", "TTFT p50", "TTFT p90",
                    "ITL p50", "e2e p50", "out tok/s");
            for (Map.Entry<String, TenantReport> e : new TreeMap<>(r.perTenant()).entrySet()) {
                TenantReport t = e.getValue();
                line(out, "%-14s %8d %7d %10.1f %10.1f %10.2f %10.1f %10.1f", e.getKey(), t.requests(), t.failed(),
                        t.ttftMs().p50(), t.ttftMs().p90(), t.itlMs().p50(), t.e2eMs().p50(), t.outputTokensPerS());
            }
        }
        return out.toString();
    }

    /** One line per run, side by side (policy comparisons, load curves). */
    public static String compare(List<RunReport> runs) {
        StringBuilder out = new StringBuilder();
        line(out, "%-22s %6s %9s %9s %9s %8s %8s %9s %10s %9s %13s %6s %5s", "policy", "scale", "TTFT p50", "TTFT p90",
                "TTFT p99", "ITL p50", "ITL p99", "e2e p50", "out tok/s", "goodput", "prefix p/a %", "Jain", "SLO");
        for (RunReport r : runs) {
            line(out, "%-22s %6s %9.1f %9.1f %9.1f %8.2f %8.2f %9.1f %10.1f %9.3f %13s %6s %5s", r.policy(),
                    num(r.rateScale()), r.ttftMs().p50(), r.ttftMs().p90(), r.ttftMs().p99(), r.itlMs().p50(),
                    r.itlMs().p99(), r.e2eMs().p50(), r.outputTokensPerS(), r.goodputRps(),
                    percent(r.prefixHitPredicted()) + "/" + percent(r.prefixHitActual()),
                    r.fairnessIndex() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.fairnessIndex()),
                    r.sloMet() == null ? "-" : r.sloMet() ? "met" : "miss");
        }
        return out.toString();
    }

    static String percent(Double share) {
        return share == null ? "-" : String.format(Locale.ROOT, "%.1f", share * 100);
    }

    private static void row(StringBuilder out, String name, LatencySummary s) {
        line(out, "%-14s %10.2f %10.2f %10.2f %10.2f %10.2f", name, s.p50(), s.p90(), s.p99(), s.mean(), s.max());
    }

    static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append(System.lineSeparator());
    }
}
