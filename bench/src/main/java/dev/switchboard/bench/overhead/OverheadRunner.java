package dev.switchboard.bench.overhead;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.switchboard.bench.live.Endpoints;
import dev.switchboard.bench.live.LiveConfig;
import dev.switchboard.bench.live.LiveRunner;
import dev.switchboard.bench.report.OverheadPoint;
import dev.switchboard.bench.report.RequestResult;
import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.workload.Prompt;
import dev.switchboard.bench.workload.Seeds;
import dev.switchboard.bench.workload.SyntheticText;
import dev.switchboard.bench.workload.TextSegment;
import dev.switchboard.bench.workload.TraceRequest;
import dev.switchboard.bench.workload.Workload;

/**
 * Measures what a request path adds to latency: the same fixed-rate stream of small streaming chat
 * completions is sent, with the live runner, to the engine directly and through each other path
 * (the gateway, an nginx proxy), one rate at a time, and every path's TTFT and end-to-end percentiles
 * are compared with the direct path's at the same rate. Against engine-sim in instant mode the engine
 * contributes almost nothing, so the differences are the paths' own cost.
 */
public final class OverheadRunner {
    /** The path every other is compared with. */
    public static final String DIRECT = "direct";

    /**
     * A request path.
     *
     * @param path    its name ({@code direct}, {@code gateway}, {@code nginx})
     * @param baseUrl base URL of its OpenAI API
     */
    public record Target(String path, String baseUrl) {
        public Target {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(baseUrl, "baseUrl");
        }
    }

    /**
     * What to send.
     *
     * @param rates          request rates, per second
     * @param duration       how long each rate is sent to each path
     * @param promptTokens   prompt tokens per request (unique text: no prefix cache effects)
     * @param outputTokens   {@code max_tokens} per request (sent with {@code ignore_eos})
     * @param warmup         requests sent to each path before the first measurement, not counted
     * @param leadIn         how long each path is sent its rate, not counted, right before each of its measured runs
     *                       (zero: none); without it a path's run starts after it sat idle through the other paths'
     * @param model          model requested
     * @param apiKey         bearer key, or {@code null}
     * @param requestTimeout longest one request may take
     * @param seed           seed of the prompt texts
     */
    public record Settings(List<Double> rates, Duration duration, int promptTokens, int outputTokens, int warmup,
            Duration leadIn, String model, String apiKey, Duration requestTimeout, long seed) {
        public Settings {
            rates = List.copyOf(rates);
            if (rates.isEmpty()) {
                throw new IllegalArgumentException("at least one rate is needed");
            }
            for (double r : rates) {
                if (!(r > 0) || Double.isInfinite(r)) {
                    throw new IllegalArgumentException("rates must be positive numbers of requests/s, but one was " + r);
                }
            }
            if (duration.isZero() || duration.isNegative()) {
                throw new IllegalArgumentException("duration must be > 0, but was " + duration);
            }
            if (promptTokens < 1 || outputTokens < 1) {
                throw new IllegalArgumentException("prompt and output tokens must be >= 1, but were " + promptTokens + " and "
                        + outputTokens);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("warmup must be >= 0, but was " + warmup);
            }
            if (leadIn.isNegative()) {
                throw new IllegalArgumentException("lead-in must be >= 0, but was " + leadIn);
            }
            Objects.requireNonNull(model, "model");
        }

        /** Requests sent at {@code rate} (at least one). */
        public int requestsAt(double rate) {
            return (int) Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
        }

        /** Lead-in requests sent at {@code rate} before a measured run (none when the lead-in is zero). */
        public int leadInRequestsAt(double rate) {
            return (int) Math.round(rate * leadIn.toNanos() / 1e9);
        }
    }

    /**
     * The measurements.
     *
     * @param runs   one report per path and rate (mode {@code overhead})
     * @param points the comparison with the direct path
     */
    public record Result(List<RunReport> runs, List<OverheadPoint> points) {
        public Result {
            runs = List.copyOf(runs);
            points = List.copyOf(points);
        }
    }

    /**
     * Warm-up until the services' JIT compilers go quiet: rounds of {@code round} at the first rate on
     * every path, until one round's compilation (all watched services together) is at most
     * {@code quietMsPerSecond} per second of the round, or {@code max} has passed.
     */
    public record SteadyWarmup(ServiceWatch watch, double quietMsPerSecond, Duration round, Duration max) {
        public SteadyWarmup {
            Objects.requireNonNull(watch, "watch");
            if (!(quietMsPerSecond > 0) || Double.isInfinite(quietMsPerSecond)) {
                throw new IllegalArgumentException("jit-quiet must be a positive number of ms/s, but was " + quietMsPerSecond);
            }
            if (round.isZero() || round.isNegative() || max.isNegative()) {
                throw new IllegalArgumentException("warm-up round must be > 0 and warmup-max >= 0");
            }
        }
    }

    /** Seed part that keeps lead-in prompts apart from every warm-up and measured prompt. */
    private static final long LEAD_IN_STREAM = 0x1EAD1;

    private final SyntheticText text = new SyntheticText();
    private final SteadyWarmup steady;
    private final Path timelineDir;

    /** Warms up with {@code Settings.warmup} requests per path only. */
    public OverheadRunner() {
        this(null, null);
    }

    /**
     * @param steady      also warm up until the services' JIT is quiet, and report their JIT and CPU per request
     *                    during every run; or null
     * @param timelineDir where to write every run's requests, one CSV per path and rate; or null
     */
    public OverheadRunner(SteadyWarmup steady, Path timelineDir) {
        this.steady = steady;
        this.timelineDir = timelineDir;
    }

    /**
     * Runs every rate against every target; the first target must be the direct path.
     *
     * @param log progress lines (one per path and rate)
     */
    public Result run(List<Target> targets, Settings settings, PrintWriter log) throws InterruptedException {
        if (targets.isEmpty() || !DIRECT.equals(targets.get(0).path())) {
            throw new IllegalArgumentException("the first target must be the direct path");
        }
        List<LiveRunner> runners = new ArrayList<>();
        try {
            for (Target t : targets) {
                runners.add(new LiveRunner(config(t, settings), text));
            }
            return measure(targets, settings, log, runners);
        } finally {
            runners.forEach(LiveRunner::close);
        }
    }

    private Result measure(List<Target> targets, Settings settings, PrintWriter log, List<LiveRunner> runners)
            throws InterruptedException {
        if (settings.warmup() > 0) {
            for (int i = 0; i < targets.size(); i++) {
                Workload warm = fixedRate("warmup", settings.rates().get(0), settings.warmup(), settings.promptTokens(),
                        settings.outputTokens(), Seeds.mix(settings.seed(), -1, i));
                runners.get(i).run(warm, 1, LiveRunner.Listener.NONE);
            }
        }
        if (steady != null) {
            warmUntilSteady(settings, log, runners);
        }
        List<RunReport> runs = new ArrayList<>();
        List<OverheadPoint> points = new ArrayList<>();
        for (int r = 0; r < settings.rates().size(); r++) {
            double rate = settings.rates().get(r);
            RunReport direct = null;
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                // a fresh text seed per path and rate: nothing is ever a prefix-cache hit
                Workload w = fixedRate(String.format(Locale.ROOT, "fixed-rate %s req/s", num(rate)), rate,
                        settings.requestsAt(rate), settings.promptTokens(), settings.outputTokens(),
                        Seeds.mix(settings.seed(), r, i));
                int leadIn = settings.leadInRequestsAt(rate);
                if (leadIn > 0) {
                    runners.get(i).run(fixedRate("lead-in", rate, leadIn, settings.promptTokens(), settings.outputTokens(),
                            Seeds.mix(settings.seed(), r, i, LEAD_IN_STREAM)), 1, LiveRunner.Listener.NONE);
                }
                List<ServiceWatch.Reading> before = steady == null ? null : steady.watch().read();
                long ownCpuBefore = ownCpuNanos();
                long started = System.nanoTime();
                Timeline timeline = timelineDir == null ? null : new Timeline(started);
                RunReport run = runners.get(i).run(w, 1, timeline == null ? LiveRunner.Listener.NONE : timeline).report();
                String cost = steady == null ? "" : cost(before, steady.watch().read(), started, ownCpuNanos() - ownCpuBefore,
                        run.requests());
                if (timeline != null) {
                    timeline.write(timelineDir.resolve(String.format(Locale.ROOT, "%s-%s.csv", t.path(), num(rate))));
                }
                run = run.withMode("overhead", rate);
                runs.add(run);
                if (i == 0) {
                    direct = run;
                }
                OverheadPoint p = OverheadPoint.of(t.path(), t.baseUrl(), rate, run, direct);
                points.add(p);
                log.printf(Locale.ROOT, "  %-8s %6s req/s: %d requests, %d failed%s; TTFT p50 %.2f p99 %.2f ms, e2e p50 %.2f "
                        + "p99 %.2f ms%s%s%n", t.path(), num(rate), run.requests(), run.failed(),
                        run.errors().isEmpty() ? "" : " " + run.errors(), run.ttftMs().p50(),
                        run.ttftMs().p99(), run.e2eMs().p50(), run.e2eMs().p99(), i == 0 ? ""
                                : String.format(Locale.ROOT, " (added TTFT p50 %+.2f p99 %+.2f ms)", p.addedTtftP50Ms(),
                                        p.addedTtftP99Ms()), cost);
                log.flush();
            }
        }
        return new Result(runs, points);
    }

    private void warmUntilSteady(Settings settings, PrintWriter log, List<LiveRunner> runners) throws InterruptedException {
        double rate = settings.rates().get(0);
        int perPath = (int) Math.max(1, Math.round(rate * steady.round().toNanos() / 1e9));
        long deadline = System.nanoTime() + steady.max().toNanos();
        for (int round = 1; ; round++) {
            double before = steady.watch().compileMillis();
            long started = System.nanoTime();
            for (int i = 0; i < runners.size(); i++) {
                Workload warm = fixedRate("warmup", rate, perPath, settings.promptTokens(), settings.outputTokens(),
                        Seeds.mix(settings.seed(), -1 - round, i));
                runners.get(i).run(warm, 1, LiveRunner.Listener.NONE);
            }
            double msPerSecond = steady.watch().millisPerSecondSince(before, started);
            boolean quiet = msPerSecond <= steady.quietMsPerSecond();
            boolean outOfTime = System.nanoTime() >= deadline;
            log.printf(Locale.ROOT, "  warm-up round %d (%s req/s): services' JIT %.0f ms/s%s%n", round, num(rate), msPerSecond,
                    quiet ? ", quiet: measuring" : outOfTime
                            ? String.format(Locale.ROOT, ", still above %.0f ms/s after %s: measuring anyway",
                                    steady.quietMsPerSecond(), steady.max())
                            : "");
            log.flush();
            if (quiet || outOfTime) {
                return;
            }
        }
    }

    /** The services' JIT during a run, and every process's CPU per request of it. */
    private static String cost(List<ServiceWatch.Reading> before, List<ServiceWatch.Reading> after, long startedNanos,
            long ownCpuNanos, long requests) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        StringBuilder perRequest = new StringBuilder();
        double servicesCpu = 0;
        for (int k = 0; k < after.size(); k++) {
            double cpu = after.get(k).cpuMillis() - before.get(k).cpuMillis();
            servicesCpu += cpu;
            URI endpoint = after.get(k).endpoint();
            perRequest.append(String.format(Locale.ROOT, ", %s:%d %.2f", endpoint.getHost(), endpoint.getPort(),
                    cpu / Math.max(1, requests)));
        }
        // NaN (a service without the CPU counter) prints as such rather than as a wrong total
        return String.format(Locale.ROOT, "; services' JIT %.0f ms/s; CPU ms per request: load generator %.2f%s, services %.2f",
                (ServiceWatch.compileMillis(after) - ServiceWatch.compileMillis(before)) / seconds,
                ownCpuNanos / 1e6 / Math.max(1, requests), perRequest, servicesCpu / Math.max(1, requests));
    }

    /** CPU time of this JVM (the load generator), or 0 where the JVM does not tell. */
    private static long ownCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    /**
     * Every request of one run as a CSV row: when it was sent (ms after the run started), its TTFT and
     * end-to-end latency (ms; TTFT -1 if no token came) and its error category (empty on success). Stalls
     * of a path show up as runs of slow requests sent close together.
     */
    private static final class Timeline implements LiveRunner.Listener {
        private final long startedNanos;
        private final ConcurrentLinkedQueue<Row> rows = new ConcurrentLinkedQueue<>();

        private record Row(long sentNanos, RequestResult result) {
        }

        Timeline(long startedNanos) {
            this.startedNanos = startedNanos;
        }

        @Override
        public void completed(RequestResult r) {
            rows.add(new Row(System.nanoTime() - r.e2eNanos() - startedNanos, r));
        }

        void write(Path file) {
            List<String> lines = new ArrayList<>(rows.size() + 1);
            lines.add("sent_ms,ttft_ms,e2e_ms,error");
            rows.stream().sorted(Comparator.comparingLong(Row::sentNanos)).forEach(row -> {
                RequestResult r = row.result();
                lines.add(String.format(Locale.ROOT, "%.3f,%.3f,%.3f,%s", row.sentNanos() / 1e6,
                        r.ttftNanos() < 0 ? -1.0 : r.ttftNanos() / 1e6, r.e2eNanos() / 1e6, r.ok() ? "" : r.error()));
            });
            try {
                Files.write(file, lines);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the timeline " + file, e);
            }
        }
    }

    /** {@code count} requests at exactly {@code rate} per second (even spacing), each with unique text. */
    public static Workload fixedRate(String name, double rate, int count, int promptTokens, int outputTokens, long seed) {
        List<TraceRequest> requests = new ArrayList<>(count);
        double gapNanos = 1e9 / rate;
        for (int i = 0; i < count; i++) {
            Prompt prompt = Prompt.user(List.of(new TextSegment(Seeds.mix(seed, i), promptTokens)));
            requests.add(TraceRequest.of(Math.round(i * gapNanos), null, prompt, outputTokens, null));
        }
        return new Workload(name, requests);
    }

    private static LiveConfig config(Target t, Settings s) {
        return new LiveConfig(Endpoints.chatUrl(t.baseUrl()), s.model(), s.apiKey(), Map.of(), 1, 4096, s.requestTimeout(), null,
                true, LiveConfig.Slo.DEFAULT);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
