package dev.switchboard.bench.chart;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import dev.switchboard.bench.capacity.CapacitySearch;
import dev.switchboard.bench.report.BenchReport;
import dev.switchboard.bench.report.OverheadPoint;
import dev.switchboard.bench.report.RunReport;

/**
 * PNG charts of a {@link BenchReport} (XChart, headless). Which charts depend on what the report holds:
 * <ul>
 *   <li>{@code ttft-by-policy.png}: TTFT p50 / p90 / p99 of every run;</li>
 *   <li>{@code ttft-p50|p90|p99-vs-load.png}, {@code itl-p90-vs-load.png}: latency against rate scale,
 *       one line per policy, when some policy ran at several load points (des {@code --rate-scales},
 *       capacity probes; runs stopped early are left out);</li>
 *   <li>{@code ttft-cdf.png}: the TTFT distribution of every run given a histogram;</li>
 *   <li>{@code prefix-hit.png}: prefix-cache hit rate predicted by the scheduler vs reported by engines;</li>
 *   <li>{@code capacity.png}: capacity per policy;</li>
 *   <li>{@code overhead.png}: latency added over the direct path, per path and rate.</li>
 * </ul>
 */
public final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;

    private Charts() {
    }

    /**
     * Writes the charts into {@code dir} (created if needed).
     *
     * @param ttftMicros TTFT histograms (microseconds) by series label, for the CDF; may be empty
     * @return the files written
     */
    public static List<Path> write(Path dir, BenchReport report, Map<String, Histogram> ttftMicros) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(dir);
            List<Path> written = new ArrayList<>();
            List<RunReport> runs = report.overhead() == null ? report.runs() : List.of();
            if (!runs.isEmpty()) {
                written.add(save(dir.resolve("ttft-by-policy.png"), ttftByPolicy(runs)));
                Map<String, List<RunReport>> curves = curves(runs);
                if (curves.values().stream().anyMatch(c -> c.size() > 1)) {
                    written.add(save(dir.resolve("ttft-p50-vs-load.png"), vsLoad(curves, "TTFT p50", "TTFT (ms)",
                            r -> r.ttftMs().p50())));
                    written.add(save(dir.resolve("ttft-p90-vs-load.png"), vsLoad(curves, "TTFT p90", "TTFT (ms)",
                            r -> r.ttftMs().p90())));
                    written.add(save(dir.resolve("ttft-p99-vs-load.png"), vsLoad(curves, "TTFT p99", "TTFT (ms)",
                            r -> r.ttftMs().p99())));
                    written.add(save(dir.resolve("itl-p90-vs-load.png"), vsLoad(curves, "Inter-token latency p90",
                            "inter-token latency (ms)", r -> r.itlMs().p90())));
                }
                if (runs.stream().anyMatch(r -> r.prefixHitActual() != null)) {
                    written.add(save(dir.resolve("prefix-hit.png"), prefixHit(runs)));
                }
            }
            if (ttftMicros != null && ttftMicros.values().stream().anyMatch(h -> h.getTotalCount() > 0)) {
                written.add(save(dir.resolve("ttft-cdf.png"), cdf(ttftMicros)));
            }
            if (report.capacitySearch() != null && !report.capacitySearch().isEmpty()) {
                written.add(save(dir.resolve("capacity.png"), capacity(report.capacitySearch())));
            }
            if (report.overhead() != null && !report.overhead().isEmpty()) {
                written.add(save(dir.resolve("overhead.png"), overhead(report.overhead())));
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write charts to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static CategoryChart ttftByPolicy(List<RunReport> runs) {
        CategoryChart chart = category("Time to first token by policy", "", "TTFT (ms)");
        boolean scales = runs.stream().map(RunReport::rateScale).distinct().count() > 1;
        List<String> labels = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p90 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        for (RunReport r : runs) {
            labels.add(label(r, scales));
            p50.add(r.ttftMs().p50());
            p90.add(r.ttftMs().p90());
            p99.add(r.ttftMs().p99());
        }
        chart.addSeries("p50", labels, p50);
        chart.addSeries("p90", labels, p90);
        chart.addSeries("p99", labels, p99);
        return chart;
    }

    /** Runs by policy, ordered by rate scale, the last run of a scale winning; aborted runs left out. */
    private static Map<String, List<RunReport>> curves(List<RunReport> runs) {
        Map<String, TreeMap<Double, RunReport>> byPolicy = new LinkedHashMap<>();
        for (RunReport r : runs) {
            if (r.simulation() != null && r.simulation().aborted()) {
                continue;
            }
            byPolicy.computeIfAbsent(String.valueOf(r.policy()), p -> new TreeMap<>()).put(r.rateScale(), r);
        }
        Map<String, List<RunReport>> out = new LinkedHashMap<>();
        byPolicy.forEach((p, points) -> out.put(p, List.copyOf(points.values())));
        return out;
    }

    private static XYChart vsLoad(Map<String, List<RunReport>> curves, String title, String yTitle,
            ToDoubleFunction<RunReport> value) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title + " vs load")
                .xAxisTitle("rate scale (x trace arrival rate)").yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setYAxisMin(0.0);
        curves.forEach((policy, points) -> {
            if (points.isEmpty()) {
                return;
            }
            double[] x = points.stream().mapToDouble(RunReport::rateScale).toArray();
            double[] y = points.stream().mapToDouble(value).toArray();
            chart.addSeries(policy, x, y);
        });
        return chart;
    }

    private static XYChart cdf(Map<String, Histogram> ttftMicros) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("TTFT distribution")
                .xAxisTitle("TTFT (ms, log scale)").yAxisTitle("requests with a TTFT at most x (%)").build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setYAxisTickMarkSpacingHint(60); // ticks every 10 %, not every 2.5 %
        ttftMicros.forEach((label, h) -> {
            if (h.getTotalCount() == 0) {
                return;
            }
            int n = 201;
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double pct = i * 100.0 / (n - 1);
                x[i] = Math.max(1e-3, h.getValueAtPercentile(pct) / 1e3);
                y[i] = pct;
            }
            chart.addSeries(label, x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        });
        return chart;
    }

    private static CategoryChart prefixHit(List<RunReport> runs) {
        CategoryChart chart = category("Prefix-cache hits: scheduler prediction vs engines", "",
                "share of prompt tokens cached (%)");
        boolean scales = runs.stream().map(RunReport::rateScale).distinct().count() > 1;
        List<String> labels = new ArrayList<>();
        List<Double> predicted = new ArrayList<>();
        List<Double> actual = new ArrayList<>();
        for (RunReport r : runs) {
            labels.add(label(r, scales));
            predicted.add(r.prefixHitPredicted() == null ? 0 : r.prefixHitPredicted() * 100);
            actual.add(r.prefixHitActual() == null ? 0 : r.prefixHitActual() * 100);
        }
        chart.addSeries("predicted (scheduler)", labels, predicted);
        chart.addSeries("actual (engines)", labels, actual);
        return chart;
    }

    private static CategoryChart capacity(Map<String, CapacitySearch.Result> search) {
        CategoryChart chart = category("Capacity at SLO", "", "highest rate scale meeting the SLO");
        List<String> labels = new ArrayList<>(search.keySet());
        List<Double> values = new ArrayList<>();
        search.values().forEach(r -> values.add(r.capacity()));
        chart.addSeries("capacity", labels, values);
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    private static CategoryChart overhead(List<OverheadPoint> points) {
        CategoryChart chart = category("Latency added over the direct path", "rate (req/s)", "added TTFT (ms)");
        Map<String, Map<Double, OverheadPoint>> byPath = new LinkedHashMap<>();
        for (OverheadPoint p : points) {
            if (!"direct".equals(p.path())) {
                byPath.computeIfAbsent(p.path(), k -> new TreeMap<>()).put(p.rateRps(), p);
            }
        }
        if (byPath.isEmpty()) {
            // only the direct path was measured: show its TTFT instead of nothing
            Map<Double, OverheadPoint> direct = new TreeMap<>();
            points.forEach(p -> direct.put(p.rateRps(), p));
            List<String> rates = direct.keySet().stream().map(Charts::num).toList();
            chart.addSeries("direct TTFT p50", rates, direct.values().stream().map(p -> p.ttftMs().p50()).toList());
            return chart;
        }
        byPath.forEach((path, byRate) -> {
            List<String> rates = byRate.keySet().stream().map(Charts::num).toList();
            chart.addSeries(path + " p50", rates, byRate.values().stream().map(OverheadPoint::addedTtftP50Ms).toList());
            chart.addSeries(path + " p99", rates, byRate.values().stream().map(OverheadPoint::addedTtftP99Ms).toList());
        });
        return chart;
    }

    private static CategoryChart category(String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisLabelRotation(20);
        return chart;
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(java.awt.Color.WHITE);
        styler.setPlotBackgroundColor(java.awt.Color.WHITE);
        styler.setLegendBorderColor(java.awt.Color.LIGHT_GRAY);
        styler.setAntiAlias(true);
    }

    private static String label(RunReport r, boolean withScale) {
        String policy = r.policy() == null ? r.target() : r.policy();
        return withScale ? policy + " x" + num(r.rateScale()) : policy;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static Path save(Path file, Chart<?, ?> chart) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
        return file;
    }
}
