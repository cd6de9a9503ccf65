package dev.switchboard.bench;

import java.io.UncheckedIOException;

import dev.switchboard.bench.cli.CapacityCommand;
import dev.switchboard.bench.cli.DecisionCommand;
import dev.switchboard.bench.cli.DesCommand;
import dev.switchboard.bench.cli.LiveCommand;
import dev.switchboard.bench.cli.OverheadCommand;
import dev.switchboard.bench.cli.WorkloadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code java -jar bench/target/bench.jar <command>}. Commands: {@code des} (virtual-time
 * replay with the real scheduler and simulated engines), {@code capacity} (highest rate scale meeting
 * the SLO, per policy), {@code live} (open-loop HTTP load), {@code overhead} (latency added by the
 * gateway and an nginx proxy over the direct path) and {@code workload} (describe a workload). The
 * workload commands share {@link dev.switchboard.bench.cli.WorkloadOptions}.
 *
 * <p>Exit codes: 0 success, 1 the run failed (every request failed, or an I/O or server problem),
 * 2 invalid options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "switchboard bench 0.1.0",
        description = "Switchboard load generation and trace replay.",
        subcommands = {DesCommand.class, CapacityCommand.class, LiveCommand.class, OverheadCommand.class, WorkloadCommand.class,
            DecisionCommand.class,
            CommandLine.HelpCommand.class})
public final class BenchCli {

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BenchCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // expected failures get one line, not a stack trace
            if (e instanceof UncheckedIOException || e instanceof IllegalStateException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
