package dev.switchboard.bench.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.switchboard.bench.capacity.CapacitySearch;
import dev.switchboard.bench.report.BenchReport;
import dev.switchboard.bench.report.LatencySummary;
import dev.switchboard.bench.report.OverheadPoint;
import dev.switchboard.bench.report.RunReport;

class ChartsTest {
    private static RunReport run(String policy, double scale, double ttftP50, boolean aborted) {
        LatencySummary ttft = new LatencySummary(ttftP50, ttftP50 * 2, ttftP50 * 4, ttftP50, ttftP50 * 5, 10);
        LatencySummary itl = new LatencySummary(8, 10, 12, 9, 20, 100);
        return new RunReport("des", "2xH100", "llama-3-8b", "w", policy, null, scale, 1, 10, 0, 0, Map.of(), 60, ttft, itl,
                ttft, null, 1000, 16.7, 0.16, 0.16, new RunReport.Slo(2000, 50), 0.4, 0.38, null, Map.of(), true,
                new RunReport.Simulation(2, 0.1, 60, 1000, 0, 10, 0, false, aborted));
    }

    @Test
    void writesEveryChartTheReportHasDataFor(@TempDir Path dir) throws Exception {
        List<RunReport> runs = new ArrayList<>();
        runs.add(run("switchboard-default", 1, 100, false));
        runs.add(run("switchboard-default", 2, 300, false));
        runs.add(run("round-robin", 1, 150, false));
        runs.add(run("round-robin", 2, 900, false));
        runs.add(run("round-robin", 4, 90_000, true));
        Map<String, CapacitySearch.Result> search = Map.of("switchboard-default", new CapacitySearch.Result(2.5, 2.5, 2.6, true,
                List.of(new CapacitySearch.Probe(1, true), new CapacitySearch.Probe(2.5, true), new CapacitySearch.Probe(2.6, false))));
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1000L);
        }
        Map<String, Histogram> cdf = new LinkedHashMap<>();
        cdf.put("switchboard-default", h);

        List<Path> files = Charts.write(dir, new BenchReport(runs, Map.of("switchboard-default", 2.5), search, null), cdf);

        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("ttft-by-policy.png",
                "ttft-p50-vs-load.png", "ttft-p90-vs-load.png", "ttft-p99-vs-load.png", "itl-p90-vs-load.png", "prefix-hit.png",
                "ttft-cdf.png", "capacity.png");
        for (Path f : files) {
            BufferedImage image = ImageIO.read(f.toFile());
            assertThat(image).as(f.toString()).isNotNull();
            assertThat(image.getWidth()).isEqualTo(900);
        }
    }

    @Test
    void overheadReportsGetTheirOwnChartOnly(@TempDir Path dir) {
        LatencySummary l = new LatencySummary(5, 6, 7, 5, 8, 10);
        RunReport r = run("x", 1, 5, false);
        List<Path> files = Charts.write(dir, new BenchReport(List.of(r), null, null, List.of(
                OverheadPoint.of("direct", "http://a", 10, r, r), OverheadPoint.of("gateway", "http://b", 10, r, r))), Map.of());
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("overhead.png");
        assertThat(l.p50()).isEqualTo(5);
    }
}
