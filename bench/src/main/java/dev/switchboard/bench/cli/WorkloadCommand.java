package dev.switchboard.bench.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import dev.switchboard.bench.workload.TraceRequest;
import dev.switchboard.bench.workload.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code bench workload}: describes a workload without sending anything (a dry run of the options). */
@Command(name = "workload", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Describe the workload the same options would give live/des: size, rate, token lengths, tenants.")
public final class WorkloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--show", paramLabel = "N", defaultValue = "0", description = "Also list the first N requests.")
    int show;

    @Override
    public Integer call() {
        Workload w = workload.build();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "workload %s: %d requests over %.1f s (%.2f req/s)%n", w.name(), w.size(),
                w.span().toNanos() / 1e9, w.meanRatePerSecond());
        out.printf(Locale.ROOT, "input tokens:  %s%n", stats(w.requests().stream().mapToInt(TraceRequest::inputTokens).toArray()));
        out.printf(Locale.ROOT, "output tokens: %s%n", stats(w.requests().stream().mapToInt(TraceRequest::outputTokens).toArray()));
        Map<String, Integer> tenants = new TreeMap<>();
        w.requests().forEach(r -> tenants.merge(r.tenant(), 1, Integer::sum));
        out.printf(Locale.ROOT, "tenants: %s%n", tenants);
        long sessions = w.requests().stream().map(TraceRequest::sessionId).filter(s -> s != null).distinct().count();
        if (sessions > 0) {
            out.printf(Locale.ROOT, "sessions: %d%n", sessions);
        }
        for (int i = 0; i < Math.min(show, w.size()); i++) {
            TraceRequest r = w.requests().get(i);
            out.printf(Locale.ROOT, "  %10.3f s  %-10s in %6d  out %5d  messages %d%s%n", r.arrivalNanos() / 1e9, r.tenant(),
                    r.inputTokens(), r.outputTokens(), r.prompt().messages().size(),
                    r.sessionId() == null ? "" : "  " + r.sessionId());
        }
        out.flush();
        return 0;
    }

    private static String stats(int[] values) {
        int[] v = values.clone();
        Arrays.sort(v);
        double mean = Arrays.stream(v).average().orElse(0);
        return String.format(Locale.ROOT, "mean %.0f, p50 %d, p99 %d, max %d, total %d", mean, v[v.length / 2],
                v[Math.min(v.length - 1, (int) Math.ceil(v.length * 0.99) - 1)], v[v.length - 1],
                Arrays.stream(v).asLongStream().sum());
    }
}
