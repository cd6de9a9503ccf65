package dev.switchboard.bench.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.HdrHistogram.Histogram;

import dev.switchboard.bench.capacity.CapacitySearch;
import dev.switchboard.bench.des.DesConfig;
import dev.switchboard.bench.des.DesOutcome;
import dev.switchboard.bench.des.DesSimulation;
import dev.switchboard.bench.des.PolicySpec;
import dev.switchboard.bench.des.PreparedWorkload;
import dev.switchboard.bench.report.BenchReport;
import dev.switchboard.bench.report.RunReport;
import dev.switchboard.bench.report.SummaryTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench capacity}: per policy, the highest rate scale at which the SLO holds, by bisection over des replays. */
@Command(name = "capacity", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Capacity at SLO: for each policy, the highest arrival-rate scale at which the run's TTFT p90 (failures counting "
                    + "as misses) and inter-token p90 stay within the SLO, found with des replays: from --rate-scale, "
                    + "double (or halve) until the answer changes, then bisect the bracket until it is within --precision "
                    + "or --max-probes replays were run. A replay stops early once its TTFT p90 can no longer meet the SLO.",
            "The answer assumes the SLO holds below some scale and fails above it; every probe is listed so that a "
                    + "non-monotone policy is visible."},
        footer = {"", "Example:",
            "  java -jar bench/target/bench.jar capacity --trace ../shared/traces/mooncake_conversation_trace.jsonl "
                    + "--window-length 10m --policies switchboard-default,round-robin --json capacity.json --charts charts/"})
public final class CapacityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    WorkloadOptions workload;

    @Mixin
    SimulationOptions simulation;

    @Option(names = "--max-probes", paramLabel = "N", defaultValue = "10",
            description = "Most replays per policy (default: ${DEFAULT-VALUE}).")
    int maxProbes;

    @Option(names = "--precision", paramLabel = "FRACTION", defaultValue = "0.05",
            description = "Stop once the bracket [met, missed] is narrower than this fraction of its lower end "
                    + "(default: ${DEFAULT-VALUE}).")
    double precision;

    @Option(names = "--min-scale", paramLabel = "X", defaultValue = "0.01",
            description = "Lowest rate scale probed when halving (default: ${DEFAULT-VALUE}).")
    double minScale;

    @Option(names = "--max-scale", paramLabel = "X", defaultValue = "100",
            description = "Highest rate scale probed when doubling (default: ${DEFAULT-VALUE}).")
    double maxScale;

    @Mixin
    ReportOptions output;

    @Override
    public Integer call() {
        CapacitySearch.Bounds bounds = bounds();
        DesConfig config = simulation.config();
        int jobs = simulation.jobs();
        List<PolicySpec> policies = simulation.policies(List.of("switchboard-default"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PreparedWorkload prepared = Replays.prepare(workload, config, err);
        DesSimulation des = new DesSimulation(config);
        boolean progress = output.progress() && jobs == 1;
        List<Callable<Search>> tasks = new ArrayList<>();
        for (PolicySpec policy : policies) {
            tasks.add(() -> {
                List<DesOutcome> probes = new ArrayList<>();
                CapacitySearch.Result result = CapacitySearch.search(bounds, scale -> {
                    DesOutcome o = Replays.run(des, prepared.atRateScale(scale), policy, true, progress, err);
                    probes.add(o);
                    RunReport r = o.report();
                    synchronized (out) {
                        out.printf(Locale.ROOT, "  %s x%s: SLO %s (TTFT p90 %.0f ms, inter-token p90 %.1f ms, %d failed%s; "
                                + "%.1f s wall)%n", policy.name(), Replays.num(scale), o.sloMet() ? "met" : "missed",
                                r.ttftMs().p90(), r.itlMs().p90(), r.failed(), r.simulation().aborted() ? ", stopped early" : "",
                                r.simulation().wallS());
                        out.flush();
                    }
                    return o.sloMet();
                });
                return new Search(policy, result, probes);
            });
        }
        List<RunReport> runs = new ArrayList<>();
        Map<String, Histogram> ttft = new LinkedHashMap<>();
        Map<String, Double> capacity = new LinkedHashMap<>();
        Map<String, CapacitySearch.Result> searches = new LinkedHashMap<>();
        for (Search s : Replays.inParallel(tasks, jobs)) {
            for (DesOutcome o : s.probes()) {
                runs.add(o.report());
                ttft.put(Replays.label(o.report(), true), o.ttftMicros());
            }
            capacity.put(s.policy().name(), s.result().capacity());
            searches.put(s.policy().name(), s.result());
        }
        out.println();
        out.printf(Locale.ROOT, "capacity at SLO (TTFT p90 <= %.0f ms, inter-token p90 <= %.0f ms) on %s, workload %s:%n",
                config.slo().ttft().toNanos() / 1e6, config.slo().itl().toNanos() / 1e6, config.cluster().text(),
                prepared.name());
        out.printf(Locale.ROOT, "%-22s %10s %22s %7s%n", "policy", "capacity", "bracket", "probes");
        searches.forEach((name, r) -> out.printf(Locale.ROOT, "%-22s %10s %22s %7d%n", name, Replays.num(r.capacity()),
                "[" + Replays.num(r.lower()) + ", " + (r.upper() == null ? "not reached" : Replays.num(r.upper())) + "]"
                        + (r.converged() ? "" : "*"), r.probes().size()));
        if (searches.values().stream().anyMatch(r -> !r.converged())) {
            out.println("* not converged: the probe budget ran out or a scale bound was reached");
        }
        out.println();
        out.print(SummaryTable.compare(runs));
        out.flush();
        Replays.write(new BenchReport(runs, capacity, searches, null), ttft, output, spec, err);
        return 0;
    }

    /** One policy's search and the replays behind it. */
    private record Search(PolicySpec policy, CapacitySearch.Result result, List<DesOutcome> probes) {
    }

    private CapacitySearch.Bounds bounds() {
        double start = workload.rateScale();
        try {
            if (!(minScale > 0) || !(maxScale >= minScale) || Double.isInfinite(maxScale)) {
                throw new IllegalArgumentException("--min-scale and --max-scale must be positive with min <= max, but were "
                        + minScale + " and " + maxScale);
            }
            if (start < minScale || start > maxScale) {
                throw new IllegalArgumentException("--rate-scale (the first probe) must lie in [--min-scale, --max-scale] = ["
                        + minScale + ", " + maxScale + "], but was " + start);
            }
            if (maxProbes < 2) {
                throw new IllegalArgumentException("--max-probes must be >= 2, but was " + maxProbes);
            }
            if (!(precision > 0) || precision >= 1) {
                throw new IllegalArgumentException("--precision must be in (0, 1), but was " + precision);
            }
            return new CapacitySearch.Bounds(start, minScale, maxScale, maxProbes, precision);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
