package dev.switchboard.bench.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.HdrHistogram.Histogram;

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

/** {@code bench des}: virtual-time replay with the real scheduler and simulated engines, one run per policy and load point. */
@Command(name = "des", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Discrete-event replay in virtual time: the workload against engine-sim's engine cores (calibrated step times, "
                    + "paged KV cache with prefix caching, preemption, P/D transfer) scheduled by the scheduler's own "
                    + "decision engine and policy (prefix index, leases, load reports every 100 ms). No HTTP; an hour of "
                    + "trace replays in seconds, and the same options always give the same numbers.",
            "Prompts are hashed as the gateway does, so prefix sharing is the trace's."},
        footer = {"", "Examples:",
            "  java -jar bench/target/bench.jar des --trace ../shared/traces/mooncake_conversation_trace.jsonl "
                    + "--cluster 8xH100:llama-3-8b:unified --policies switchboard-default,round-robin --json des.json",
            "  java -jar bench/target/bench.jar des --workload b2b-saas --cluster 4xH100:prefill,4xH100:decode "
                    + "--rate-scales 0.5,1,2 --charts charts/"})
public final class DesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    WorkloadOptions workload;

    @Mixin
    SimulationOptions simulation;

    @Option(names = "--rate-scales", paramLabel = "X", split = ",",
            description = "Load points: replay at each of these rate scales (instead of --rate-scale), for latency-vs-load curves.")
    List<Double> rateScales;

    @Mixin
    ReportOptions output;

    @Override
    public Integer call() {
        DesConfig config = simulation.config();
        int jobs = simulation.jobs();
        List<PolicySpec> policies = simulation.policies(List.of("switchboard-default"));
        List<Double> scales = loadPoints();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PreparedWorkload prepared = Replays.prepare(workload, config, err);
        DesSimulation des = new DesSimulation(config);
        boolean progress = output.progress() && jobs == 1;
        List<Callable<DesOutcome>> tasks = new ArrayList<>();
        for (double scale : scales) {
            PreparedWorkload w = prepared.atRateScale(scale);
            for (PolicySpec policy : policies) {
                tasks.add(() -> Replays.run(des, w, policy, false, progress, err));
            }
        }
        List<RunReport> runs = new ArrayList<>();
        Map<String, Histogram> ttft = new LinkedHashMap<>();
        for (DesOutcome outcome : Replays.inParallel(tasks, jobs)) {
            runs.add(outcome.report());
            ttft.put(Replays.label(outcome.report(), scales.size() > 1), outcome.ttftMicros());
            out.print(SummaryTable.render(outcome.report()));
            out.println();
        }
        out.flush();
        if (runs.size() > 1) {
            out.print(SummaryTable.compare(runs));
            out.flush();
        }
        Replays.write(new BenchReport(runs, null), ttft, output, spec, err);
        return runs.stream().allMatch(r -> r.requests() > 0 && r.failed() == r.requests()) ? 1 : 0;
    }

    private List<Double> loadPoints() {
        if (rateScales == null) {
            return List.of(workload.rateScale());
        }
        if (workload.rateScale() != 1) {
            throw new ParameterException(spec.commandLine(), "give either --rate-scale or --rate-scales, not both");
        }
        if (rateScales.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--rate-scales needs at least one value");
        }
        for (double s : rateScales) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                        "--rate-scales values must be positive numbers, but one was %s", s));
            }
        }
        return rateScales.stream().distinct().sorted().toList();
    }
}
