package dev.switchboard.bench.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.switchboard.bench.live.Endpoints;
import dev.switchboard.bench.live.LiveRunner;
import dev.switchboard.bench.overhead.NginxProxy;
import dev.switchboard.bench.overhead.OverheadRunner;
import dev.switchboard.bench.overhead.ServiceWatch;
import dev.switchboard.bench.report.BenchReport;
import dev.switchboard.bench.report.OverheadPoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench overhead}: latency added by the gateway path (and an nginx proxy) over calling the engine directly. */
@Command(name = "overhead", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Added latency of request paths at fixed rates: the same stream of small streaming chat completions goes to the "
                    + "engine directly (--direct), through the Switchboard gateway (--gateway) and through a plain nginx "
                    + "reverse proxy in front of the same engine (when nginx is on PATH: the command writes its config to a "
                    + "temporary directory, listens on 127.0.0.1 only and stops it afterwards). TTFT and end-to-end "
                    + "p50/p99 of each path are compared with the direct path's at the same rate.",
            "Point --direct at engine-sim in instant mode so that the engine adds nearly nothing; the services are not "
                    + "started by this command."},
        footer = {"", "Example:",
            "  java -jar bench/target/bench.jar overhead --direct http://127.0.0.1:8001 --gateway http://127.0.0.1:8080 "
                    + "--rates 10,50,100 --duration 20s --json overhead.json --charts charts/"})
public final class OverheadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--direct", required = true, paramLabel = "URL", description = "The engine's own OpenAI URL (the baseline).")
    String direct;

    @Option(names = "--gateway", paramLabel = "URL", description = "The Switchboard gateway URL in front of that engine.")
    String gateway;

    @Option(names = "--nginx", paramLabel = "auto|off|PATH", defaultValue = "auto",
            description = "nginx baseline: auto (if nginx is on PATH), off, or the nginx executable (default: ${DEFAULT-VALUE}).")
    String nginx;

    @Option(names = "--rates", paramLabel = "RATE", split = ",", defaultValue = "10,50,100",
            description = "Request rates per second, one measurement each (default: ${DEFAULT-VALUE}).")
    List<Double> rates;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "How long each rate is sent to each path (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "256",
            description = "Prompt tokens per request, unique text (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--output-tokens", paramLabel = "N", defaultValue = "16",
            description = "max_tokens per request, sent with ignore_eos (default: ${DEFAULT-VALUE}).")
    int outputTokens;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "50",
            description = "Requests sent to each path before measuring, not counted (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--lead-in", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "Send each path its rate for DURATION, not counted, right before each of its measured runs, so a "
                    + "run starts on a path already carrying that rate rather than one left idle through the other paths' runs "
                    + "(default: ${DEFAULT-VALUE}: none).")
    Duration leadIn;

    @Option(names = "--jit-watch", paramLabel = "URL", split = ",",
            description = "Prometheus endpoints of the services under test (e.g. http://127.0.0.1:8080/actuator/prometheus). "
                    + "Warm-up then repeats rounds at the first rate until their JIT compilers together spend at most "
                    + "--jit-quiet per second, and every run reports their JIT time and each process's CPU time per request "
                    + "(from process_cpu_time_ns_total; the load generator's own from its JVM).")
    List<URI> jitWatch;

    @Option(names = "--jit-quiet", paramLabel = "MS", defaultValue = "20",
            description = "Compilation ms per second of a warm-up round that counts as steady (default: ${DEFAULT-VALUE}).")
    double jitQuiet;

    @Option(names = "--warmup-round", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
            description = "Length of one --jit-watch warm-up round per path (default: ${DEFAULT-VALUE}).")
    Duration warmupRound;

    @Option(names = "--warmup-max", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Longest --jit-watch warm-up before measuring anyway (default: ${DEFAULT-VALUE}).")
    Duration warmupMax;

    @Option(names = "--model", paramLabel = "NAME", description = "Model to request (default: the first of the direct URL's /v1/models).")
    String model;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Bearer key sent on every path.")
    String apiKey;

    @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Longest one request may take (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the prompt texts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeline", paramLabel = "DIR",
            description = "Also write every request of every run to DIR/<path>-<rate>.csv (sent_ms,ttft_ms,e2e_ms,error; "
                    + "sent_ms after the run's start), to find when a path stalled.")
    Path timeline;

    @Mixin
    ReportOptions output;

    @Override
    public Integer call() throws Exception {
        List<OverheadRunner.Target> targets = new ArrayList<>();
        targets.add(new OverheadRunner.Target(OverheadRunner.DIRECT, url("--direct", direct)));
        if (gateway != null) {
            targets.add(new OverheadRunner.Target("gateway", url("--gateway", gateway)));
        }
        Optional<Path> nginxBinary = nginxBinary();
        OverheadRunner.Settings settings = settings();
        Path timelineDir = timelineDir();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NginxProxy proxy = null;
        try {
            if (nginxBinary.isPresent()) {
                proxy = NginxProxy.start(nginxBinary.get(), upstream(direct));
                targets.add(new OverheadRunner.Target("nginx", proxy.baseUrl() + upstream(direct).getRawPath()));
                err.printf("started %s%n", proxy);
            } else if (!"off".equals(nginx)) {
                err.println("nginx is not on PATH: measuring without the nginx baseline");
            }
            err.printf(Locale.ROOT, "overhead: %s; rates %s req/s for %s each, %d prompt / %d output tokens, model %s%n",
                    targets.stream().map(t -> t.path() + " " + t.baseUrl()).toList(), rates, duration, promptTokens,
                    outputTokens, settings.model());
            err.flush();
            OverheadRunner.Result result = new OverheadRunner(steadyWarmup(), timelineDir).run(targets, settings, out);
            out.println();
            out.printf(Locale.ROOT, "%-8s %8s %9s %9s %9s %9s %13s %13s%n", "path", "req/s", "TTFT p50", "TTFT p99", "e2e p50",
                    "e2e p99", "added p50", "added p99");
            for (OverheadPoint p : result.points()) {
                out.printf(Locale.ROOT, "%-8s %8s %9.2f %9.2f %9.2f %9.2f %+13.2f %+13.2f%n", p.path(), Replays.num(p.rateRps()),
                        p.ttftMs().p50(), p.ttftMs().p99(), p.e2eMs().p50(), p.e2eMs().p99(), p.addedTtftP50Ms(),
                        p.addedTtftP99Ms());
            }
            out.flush();
            Replays.write(new BenchReport(result.runs(), null, null, result.points()), Map.of(), output, spec, err);
            boolean allFailed = result.runs().stream().allMatch(r -> r.requests() > 0 && r.failed() == r.requests());
            return allFailed ? 1 : 0;
        } finally {
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    private OverheadRunner.SteadyWarmup steadyWarmup() {
        if (jitWatch == null || jitWatch.isEmpty()) {
            return null;
        }
        try {
            for (URI u : jitWatch) {
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    throw new IllegalArgumentException("--jit-watch needs http(s) URLs, but one was " + u);
                }
            }
            ServiceWatch watch = new ServiceWatch(jitWatch);
            watch.read(); // unreachable or wrong endpoints fail now, not after the first warm-up round
            return new OverheadRunner.SteadyWarmup(watch, jitQuiet, warmupRound, warmupMax);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replace("jit-quiet must", "--jit-quiet must")
                    .replace("warm-up round must", "--warmup-round must"), e);
        }
    }

    private Path timelineDir() {
        if (timeline == null) {
            return null;
        }
        try {
            return Files.createDirectories(timeline);
        } catch (java.io.IOException e) {
            throw new ParameterException(spec.commandLine(), "--timeline: cannot create the directory " + timeline + ": "
                    + e.getMessage(), e);
        }
    }

    private OverheadRunner.Settings settings() {
        try {
            String chosen = model;
            if (chosen == null) {
                try {
                    chosen = LiveRunner.detectModel(Endpoints.modelsUrl(direct), apiKey);
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
            } else if (chosen.isBlank()) {
                throw new IllegalArgumentException("--model must not be blank");
            }
            if (requestTimeout.isZero() || requestTimeout.isNegative()) {
                throw new IllegalArgumentException("--request-timeout must be > 0, but was " + requestTimeout);
            }
            return new OverheadRunner.Settings(rates, duration, promptTokens, outputTokens, warmup, leadIn, chosen, apiKey,
                    requestTimeout, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), optionMessage(e.getMessage()), e);
        }
    }

    private String optionMessage(String m) {
        return m.replace("rates must", "--rates must").replace("duration must", "--duration must")
                .replace("prompt and output tokens must", "--prompt-tokens and --output-tokens must")
                .replace("warmup must", "--warmup must").replace("lead-in must", "--lead-in must");
    }

    private String url(String option, String value) {
        try {
            Endpoints.chatUrl(value);
            return value.trim().replaceAll("/+$", "");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replace("--url", option), e);
        }
    }

    private URI upstream(String base) {
        URI chat = Endpoints.chatUrl(base);
        String path = chat.getRawPath().substring(0, chat.getRawPath().length() - "/v1/chat/completions".length());
        return URI.create(chat.getScheme() + "://" + chat.getHost() + (chat.getPort() > 0 ? ":" + chat.getPort() : "") + path);
    }

    private Optional<Path> nginxBinary() {
        if ("off".equals(nginx)) {
            return Optional.empty();
        }
        if ("auto".equals(nginx)) {
            return NginxProxy.findOnPath();
        }
        Path p = Path.of(nginx);
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw new ParameterException(spec.commandLine(), "--nginx must be auto, off or an executable file, but '" + nginx
                    + "' is not an executable file");
        }
        return Optional.of(p);
    }
}
