package dev.switchboard.bench.cli;

import java.util.concurrent.Callable;

import dev.switchboard.bench.micro.DecisionBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench decision}: cost of one scheduling decision and of admission, on a synthetic fleet. */
@Command(name = "decision", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Times the scheduler's production decision path (admission offer + scheduling cycle + lease + prefix-index "
                    + "update) on --threads threads sharing one scheduler, over a synthetic fleet of unified endpoints with load reports and a prefix "
                    + "index pre-filled with --blocks blocks, for requests of 4096 tokens sharing prefixes. Prints p50/p99/max "
                    + "per decision, decisions per second, admission p99 and the index's bytes per block."},
        footer = {"", "Examples:", "  java -Xmx2g -jar bench/target/bench.jar decision --endpoints 256 --blocks 1000000",
            "  java -Xmx2g -jar bench/target/bench.jar decision --threads 2"})
public final class DecisionCommand implements Callable<Integer> {
    @Option(names = "--policy", defaultValue = "switchboard-default", description = "Policy preset (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--endpoints", defaultValue = "256", description = "Endpoints in the fleet (default: ${DEFAULT-VALUE}).")
    int endpoints;

    @Option(names = "--blocks", defaultValue = "1000000", description = "Blocks in the prefix index (default: ${DEFAULT-VALUE}).")
    long blocks;

    @Option(names = "--decisions", defaultValue = "100000", description = "Measured decisions (default: ${DEFAULT-VALUE}).")
    int decisions;

    @Option(names = "--threads", defaultValue = "1",
            description = "Threads deciding concurrently; --decisions are split over them (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (endpoints < 1 || blocks < 0 || decisions < 1 || threads < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--endpoints, --decisions and --threads must be >= 1 and --blocks >= 0");
        }
        DecisionBenchmark.Result r = DecisionBenchmark.run(policy, endpoints, blocks, decisions, seed, threads);
        System.out.printf("policy %s, %d endpoints, %,d indexed blocks, %,d decisions%n", r.policy(), r.endpoints(),
                r.indexedBlocks(), r.decisions());
        System.out.printf("decision: p50 %.1f us, p99 %.1f us, max %.1f us; %.0f decisions/s on %d thread%s%n", r.p50Micros(),
                r.p99Micros(), r.maxMicros(), r.decisionsPerSecond(), r.threads(), r.threads() == 1 ? "" : "s");
        System.out.printf("decision thread CPU time: p50 %.1f us, p99 %.1f us%n", r.cpuP50Micros(), r.cpuP99Micros());
        System.out.printf("admission (nothing waiting): p99 %.1f us%n", r.admissionP99Micros());
        System.out.printf("prefix index: %.1f bytes per indexed block%n", r.bytesPerBlock());
        return 0;
    }
}
