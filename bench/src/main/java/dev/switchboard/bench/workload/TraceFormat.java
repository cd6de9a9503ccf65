package dev.switchboard.bench.workload;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** Trace file formats the bench reads. */
public enum TraceFormat {
    /** Mooncake JSON lines with block hash ids. */
    MOONCAKE("mooncake"),
    /** Azure LLM inference CSV. */
    AZURE("azure");

    private final String cliName;

    TraceFormat(String cliName) {
        this.cliName = cliName;
    }

    /** Name used on the command line. */
    public String cliName() {
        return cliName;
    }

    /** Reads {@code file} in this format. */
    public Workload read(Path file, long seed) {
        return switch (this) {
            case MOONCAKE -> MooncakeTraceReader.read(file, seed);
            case AZURE -> AzureTraceReader.read(file, seed);
        };
    }

    /** The format named {@code name} on the command line. */
    public static TraceFormat parse(String name) {
        return Arrays.stream(values()).filter(f -> f.cliName.equalsIgnoreCase(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown trace format '" + name + "'; expected one of "
                        + String.join(", ", Arrays.stream(values()).map(TraceFormat::cliName).toList())));
    }

    /** The format implied by a file name ({@code .jsonl} or {@code .csv}). */
    public static TraceFormat guess(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return MOONCAKE;
        }
        if (name.endsWith(".csv")) {
            return AZURE;
        }
        throw new IllegalArgumentException("cannot tell the format of " + file
                + " from its name (.jsonl = mooncake, .csv = azure); pass --format");
    }
}
