package dev.switchboard.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.switchboard.bench.capacity.CapacitySearch;

/**
 * Renders a {@link BenchReport} as Markdown ready to paste into {@code docs/benchmarks.md}: the command
 * that reproduces it, one table of runs, the capacity and overhead tables when present, and the charts
 * (linked relative to the Markdown file).
 */
public final class MarkdownReport {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    private MarkdownReport() {
    }

    /** The Markdown text; {@code charts} are linked relative to {@code baseDir} (or as given when it is {@code null}). */
    public static String render(BenchReport report, String command, List<Path> charts, Path baseDir) {
        StringBuilder md = new StringBuilder();
        md.append("Reproduce:\n\n```bash\n").append(command).append("\n```\n\n");
        List<RunReport> runs = report.runs();
        boolean overhead = report.overhead() != null;
        if (!runs.isEmpty() && !overhead) {
            RunReport first = runs.get(0);
            md.append(String.format(Locale.ROOT, "Workload `%s`, %s `%s`, model `%s`; SLO TTFT <= %s ms, inter-token <= %s ms "
                    + "(goodput per request: TTFT and mean inter-token gap; SLO met: p90 of each over the run). Latencies in ms.%n%n",
                    first.workload(), "des".equals(first.mode()) ? "cluster" : "target", first.target(), first.model(),
                    SummaryTable.num(first.slo().ttftMs()), SummaryTable.num(first.slo().itlMs())));
            md.append("| policy | rate scale | requests (failed) | TTFT p50 | TTFT p90 | TTFT p99 | ITL p50 | ITL p99 | e2e p50 "
                    + "| e2e p99 | output tok/s | goodput req/s | prefix hit predicted | prefix hit actual | Jain | SLO |"
                    + (first.simulation() != null ? " wall s |" : "") + "\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
                    + (first.simulation() != null ? "---:|" : "") + "\n");
            for (RunReport r : runs) {
                md.append(String.format(Locale.ROOT,
                        "| %s | %s | %d (%d) | %.0f | %.0f | %.0f | %.1f | %.1f | %.0f | %.0f | %.0f | %.2f | %s | %s | %s | %s |%s%n",
                        r.policy() == null ? "-" : r.policy(), SummaryTable.num(r.rateScale()), r.requests(), r.failed(),
                        r.ttftMs().p50(), r.ttftMs().p90(), r.ttftMs().p99(), r.itlMs().p50(), r.itlMs().p99(), r.e2eMs().p50(),
                        r.e2eMs().p99(), r.outputTokensPerS(), r.goodputRps(), pct(r.prefixHitPredicted()),
                        pct(r.prefixHitActual()), r.fairnessIndex() == null ? "-" : String.format(Locale.ROOT, "%.3f",
                                r.fairnessIndex()),
                        r.sloMet() == null ? "-" : r.sloMet() ? "met" : "missed"
                                + (r.simulation() != null && r.simulation().aborted() ? " (stopped early)" : ""),
                        r.simulation() == null ? "" : String.format(Locale.ROOT, " %.1f |", r.simulation().wallS())));
            }
            md.append('\n');
        }
        if (report.capacitySearch() != null) {
            md.append("Capacity: the highest rate scale (x the trace's arrival rate) at which the SLO held, by bisection.\n\n");
            md.append("| policy | capacity (rate scale) | bracket | probes (scale: met?) |\n|---|---:|---|---|\n");
            for (Map.Entry<String, CapacitySearch.Result> e : report.capacitySearch().entrySet()) {
                CapacitySearch.Result c = e.getValue();
                StringBuilder probes = new StringBuilder();
                for (CapacitySearch.Probe p : c.probes()) {
                    probes.append(probes.length() == 0 ? "" : ", ").append(SummaryTable.num(p.rateScale()))
                            .append(p.sloMet() ? " yes" : " no");
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | [%s, %s]%s | %s |%n", e.getKey(), SummaryTable.num(c.capacity()),
                        SummaryTable.num(c.lower()), c.upper() == null ? "not reached" : SummaryTable.num(c.upper()),
                        c.converged() ? "" : " (not converged)", probes));
            }
            md.append('\n');
        }
        if (overhead) {
            md.append("Added latency over the direct path at the same rate (ms; positive = slower).\n\n");
            md.append("| path | rate req/s | requests (failed) | TTFT p50 | TTFT p99 | e2e p50 | e2e p99 | added TTFT p50 "
                    + "| added TTFT p99 | added e2e p50 | added e2e p99 |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (OverheadPoint p : report.overhead()) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %d (%d) | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                        p.path(), SummaryTable.num(p.rateRps()), p.requests(), p.failed(), p.ttftMs().p50(), p.ttftMs().p99(),
                        p.e2eMs().p50(), p.e2eMs().p99(), p.addedTtftP50Ms(), p.addedTtftP99Ms(), p.addedE2eP50Ms(),
                        p.addedE2eP99Ms()));
            }
            md.append('\n');
        }
        for (Path chart : charts) {
            Path shown = baseDir == null ? chart : baseDir.toAbsolutePath().relativize(chart.toAbsolutePath());
            String name = chart.getFileName().toString().replaceFirst("\\.png$", "");
            md.append("![").append(name).append("](").append(shown.toString().replace('\\', '/')).append(")\n\n");
        }
        return md.toString();
    }

    /** Writes the Markdown to {@code file}, charts linked relative to it. */
    public static void write(Path file, BenchReport report, String command, List<Path> charts) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, render(report, command, charts, parent));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code args} as one shell line, quoting what needs it. */
    public static String shellJoin(List<String> args) {
        StringBuilder out = new StringBuilder();
        for (String a : args) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(SAFE.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return out.toString();
    }

    private static String pct(Double share) {
        return share == null ? "-" : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
