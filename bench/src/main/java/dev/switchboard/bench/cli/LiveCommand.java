package dev.switchboard.bench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.bench.live.Endpoints;
import dev.switchboard.bench.live.LiveConfig;
import dev.switchboard.bench.live.LiveRunner;
import dev.switchboard.bench.report.RequestResult;
import dev.switchboard.bench.report.BenchReport;
import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.report.SummaryTable;
import dev.switchboard.bench.workload.SyntheticText;
import dev.switchboard.bench.workload.Workload;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench live}: open-loop HTTP load against an OpenAI-compatible URL. */
@Command(name = "live", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Open-loop HTTP load against any OpenAI-compatible URL (the gateway, or an engine directly).",
            "Each request is sent at its arrival time whatever the earlier ones are doing, as a streaming chat completion "
                    + "with max_tokens = the trace's output tokens; TTFT (first non-empty content delta), inter-token "
                    + "latency (gaps between content chunks) and end-to-end are measured from the SSE stream, output "
                    + "tokens from usage."},
        footer = {"", "Example:",
            "  java -jar bench/target/bench.jar live --url http://127.0.0.1:8080 --workload b2b-saas --max-requests 100 --json live.json"})
public final class LiveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", required = true, paramLabel = "URL",
            description = "Base URL (http://host:port, .../v1, or the full .../v1/chat/completions).")
    String url;

    @Option(names = "--model", paramLabel = "NAME", description = "Model to request (default: the first of GET /v1/models).")
    String model;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Bearer key sent for every tenant without its own --tenant-key.")
    String apiKey;

    @Option(names = "--tenant-key", paramLabel = "TENANT=KEY", description = "Bearer key of one tenant (repeatable).")
    Map<String, String> tenantKeys = new LinkedHashMap<>();

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--speed", paramLabel = "K", defaultValue = "1",
            description = "Time compression matching engine-sim's speed factor: arrivals are sent K times faster and measured "
                    + "durations are multiplied by K, so numbers are in trace time (default: ${DEFAULT-VALUE}). "
                    + "Use --rate-scale, not this, to add load.")
    double speed;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop sending new requests after DURATION of wall time; in-flight ones finish.")
    Duration duration;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "1024",
            description = "Most requests outstanding at once; beyond it sending waits and the wait shows as send lag "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "Longest one request may take, send to end of stream (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--ignore-eos", description = "Send \"ignore_eos\": true (vLLM, SGLang) so engines generate exactly max_tokens.")
    boolean ignoreEos;

    @Option(names = "--slo-ttft", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "Goodput counts requests with TTFT at most this (default: ${DEFAULT-VALUE}) ...")
    Duration sloTtft;

    @Option(names = "--slo-itl", paramLabel = "DURATION", defaultValue = "50ms", converter = DurationConverter.class,
            description = "... and mean inter-token latency at most this (default: ${DEFAULT-VALUE}).")
    Duration sloItl;

    @Option(names = "--policy", paramLabel = "NAME",
            description = "Label of the scheduling policy the target runs, recorded in the report (live cannot know it).")
    String policy;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (top-level \"runs\").")
    Path json;

    @Option(names = "--no-progress", negatable = false, description = "No progress bar (none is drawn without a terminal anyway).")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        LiveConfig config = config();
        Workload w = workload.build();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.printf("live: %d requests over %.1f s of trace time (%.2f req/s) to %s, model %s%n", w.size(),
                w.span().toNanos() / 1e9, w.meanRatePerSecond(), config.chatUrl(), config.model());
        err.flush();
        LiveRunner.Result result;
        try (ProgressBar bar = progressBar(w.size()); LiveRunner runner = new LiveRunner(config, new SyntheticText())) {
            result = runner.run(w, workload.rateScale(), listener(bar));
        }
        RunReport report = result.report();
        out.print(SummaryTable.render(report));
        out.flush();
        result.errorSamples().forEach((category, message) -> err.printf("first %s error: %s%n", category, message));
        if (result.usageMissing() > 0) {
            err.printf("warning: %d streams carried no usage; their output tokens are content chunk counts%n",
                    result.usageMissing());
        }
        if (report.sendLagMs().p99() > 10) {
            err.printf("warning: send lag p99 %.1f ms: the client could not keep the schedule (raise --max-in-flight "
                    + "or lower the rate)%n", report.sendLagMs().p99());
        }
        if (json != null) {
            new BenchReport(List.of(policy == null ? report : report.withPolicy(policy)), null).write(json);
            err.printf("wrote %s%n", json);
        }
        err.flush();
        // a run in which nothing succeeded is a misconfiguration a script should notice
        return report.requests() > 0 && report.failed() == report.requests() ? 1 : 0;
    }

    private LiveConfig config() {
        try {
            var chatUrl = Endpoints.chatUrl(url);
            if (!(speed > 0) || Double.isInfinite(speed)) {
                throw new IllegalArgumentException("--speed must be a positive number, but was " + speed);
            }
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("--max-in-flight must be >= 1, but was " + maxInFlight);
            }
            requirePositive("--request-timeout", requestTimeout);
            requirePositive("--slo-ttft", sloTtft);
            requirePositive("--slo-itl", sloItl);
            if (duration != null) {
                requirePositive("--duration", duration);
            }
            tenantKeys.forEach((tenant, key) -> {
                if (tenant.isBlank() || key == null || key.isBlank()) {
                    throw new IllegalArgumentException("--tenant-key must be TENANT=KEY with both non-empty");
                }
            });
            String chosenModel = model;
            if (chosenModel == null) {
                try {
                    chosenModel = LiveRunner.detectModel(Endpoints.modelsUrl(url), apiKey);
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
            } else if (chosenModel.isBlank()) {
                throw new IllegalArgumentException("--model must not be blank");
            }
            return new LiveConfig(chatUrl, chosenModel, apiKey, tenantKeys, speed, maxInFlight, requestTimeout, duration,
                    ignoreEos, new LiveConfig.Slo(sloTtft, sloItl));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static void requirePositive(String option, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(option + " must be > 0, but was " + d);
        }
    }

    private ProgressBar progressBar(int requests) {
        if (noProgress || System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("live").setInitialMax(requests).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).setUnit(" req", 1).showSpeed().build();
    }

    private static LiveRunner.Listener listener(ProgressBar bar) {
        if (bar == null) {
            return LiveRunner.Listener.NONE;
        }
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        return new LiveRunner.Listener() {
            @Override
            public void sent(int now) {
                inFlight.set(now);
                bar.setExtraMessage(" | in flight " + now + ", failed " + failed.get());
            }

            @Override
            public void completed(RequestResult r) {
                int f = r.ok() ? failed.get() : failed.incrementAndGet();
                bar.setExtraMessage(" | in flight " + inFlight.decrementAndGet() + ", failed " + f);
                bar.step();
            }
        };
    }
}
