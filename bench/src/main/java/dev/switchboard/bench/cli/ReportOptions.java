package dev.switchboard.bench.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** Where a command writes its results besides the printed summary ({@code --json}, {@code --charts}, {@code --markdown}). */
public final class ReportOptions {
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (top-level \"runs\").")
    Path json;

    @Option(names = "--charts", paramLabel = "DIR", description = "Also write PNG charts into DIR.")
    Path charts;

    @Option(names = "--markdown", paramLabel = "FILE",
            description = "Also write a Markdown summary (tables, the command that reproduces them, chart links).")
    Path markdown;

    @Option(names = "--no-progress", negatable = false, description = "No progress bar (none is drawn without a terminal anyway).")
    boolean noProgress;

    /** The JSON file, or {@code null}. */
    public Path json() {
        return json;
    }

    /** The chart directory, or {@code null}. */
    public Path charts() {
        return charts;
    }

    /** The Markdown file, or {@code null}. */
    public Path markdown() {
        return markdown;
    }

    /** Whether progress bars may be drawn. */
    public boolean progress() {
        return !noProgress && System.console() != null;
    }
}
