package dev.switchboard.bench;

import java.io.UncheckedIOException;

import dev.switchboard.bench.cli.LiveCommand;
import dev.switchboard.bench.cli.WorkloadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code java -jar bench/target/bench.jar <command>}. Commands: {@code live} (open-loop
 * HTTP load) and {@code workload} (describe a workload); {@code des}, {@code capacity} and
 * {@code overhead} are added here as they land and share {@link dev.switchboard.bench.cli.WorkloadOptions}.
 *
 * <p>Exit codes: 0 success, 1 the run failed (every request failed, or an I/O or server problem),
 * 2 invalid options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "switchboard bench 0.1.0",
        description = "Switchboard load generation and trace replay.",
        subcommands = {LiveCommand.class, WorkloadCommand.class, CommandLine.HelpCommand.class})
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
