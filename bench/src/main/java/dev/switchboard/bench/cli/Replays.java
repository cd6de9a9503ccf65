package dev.switchboard.bench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.HdrHistogram.Histogram;

import dev.switchboard.bench.chart.Charts;
import dev.switchboard.bench.des.DesConfig;
import dev.switchboard.bench.des.DesOutcome;
import dev.switchboard.bench.des.DesSimulation;
import dev.switchboard.bench.des.PolicySpec;
import dev.switchboard.bench.des.PreparedWorkload;
import dev.switchboard.bench.report.BenchReport;
import dev.switchboard.bench.report.MarkdownReport;
import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.workload.SyntheticText;
import dev.switchboard.bench.workload.Workload;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Model.CommandSpec;

/** What the virtual-time commands share: preparing the workload, one replay with progress, writing outputs. */
final class Replays {
    /** How every command is started, for the reproduction line of Markdown summaries. */
    static final String LAUNCHER = "java -jar bench/target/bench.jar";

    private Replays() {
    }

    /** Builds and hashes the workload once (the expensive part), telling how long it took. */
    static PreparedWorkload prepare(WorkloadOptions options, DesConfig config, PrintWriter err) {
        Workload w = options.build();
        long start = System.nanoTime();
        // a large text cache: an hour of Mooncake has ~180k distinct 512-token blocks, and regenerating
        // evicted ones dominated preparing; a quarter of the heap at most (Latin-1 strings: a byte a char)
        long cacheChars = Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4);
        PreparedWorkload prepared = PreparedWorkload.prepare(w, config.model(), options.rateScale(), new SyntheticText(cacheChars));
        err.printf(Locale.ROOT, "prepared %s: %d requests, %.1f M prompt tokens hashed in %.2f s; cluster %s (%d engines), "
                + "model %s%n", w.name(), prepared.size(), prepared.promptTokens() / 1e6, (System.nanoTime() - start) / 1e9,
                config.cluster().text(), config.cluster().engines(), config.model());
        err.flush();
        return prepared;
    }

    /** One replay with a progress bar when there is a terminal. */
    static DesOutcome run(DesSimulation des, PreparedWorkload w, PolicySpec policy, boolean stopWhenMissed, boolean progress,
            PrintWriter err) {
        err.printf(Locale.ROOT, "des: %s at rate scale %s ...%n", policy.name(), num(w.baseRateScale()));
        err.flush();
        if (!progress) {
            return des.run(w, policy, DesSimulation.Listener.NONE, stopWhenMissed);
        }
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(policy.name()).setInitialMax(w.size())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setUnit(" req", 1).build()) {
            return des.run(w, policy, new DesSimulation.Listener() {
                @Override
                public void completed(int done, int total) {
                    bar.stepTo(done);
                }
            }, stopWhenMissed);
        }
    }

    /** A run's name in charts: its policy, with the load point when several are compared. */
    static String label(RunReport r, boolean withScale) {
        return withScale ? r.policy() + " x" + num(r.rateScale()) : r.policy();
    }

    /** Writes the JSON, charts and Markdown asked for. */
    static void write(BenchReport report, Map<String, Histogram> ttftCdfs, ReportOptions output, CommandSpec spec,
            PrintWriter err) {
        if (output.json() != null) {
            report.write(output.json());
            err.printf("wrote %s%n", output.json());
        }
        List<Path> charts = List.of();
        if (output.charts() != null) {
            charts = Charts.write(output.charts(), report, ttftCdfs);
            err.printf("wrote %d charts to %s%n", charts.size(), output.charts());
        }
        if (output.markdown() != null) {
            // the parse result of a subcommand keeps the whole original command line, subcommand name included
            String command = LAUNCHER + " " + MarkdownReport.shellJoin(spec.commandLine().getParseResult().originalArgs());
            MarkdownReport.write(output.markdown(), report, command, charts);
            err.printf("wrote %s%n", output.markdown());
        }
        err.flush();
    }

    /**
     * Runs {@code tasks} on up to {@code jobs} threads and returns their results in task order (replays are
     * independent and deterministic, so the numbers do not depend on {@code jobs}; wall times do).
     */
    static <T> List<T> inParallel(List<Callable<T>> tasks, int jobs) {
        if (jobs <= 1 || tasks.size() <= 1) {
            List<T> out = new ArrayList<>(tasks.size());
            for (Callable<T> t : tasks) {
                out.add(call(t));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, tasks.size()), r -> {
            Thread t = new Thread(r, "des-replay");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> t : tasks) {
                futures.add(pool.submit(t));
            }
            List<T> out = new ArrayList<>(tasks.size());
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
