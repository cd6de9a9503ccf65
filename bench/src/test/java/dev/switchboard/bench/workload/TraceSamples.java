package dev.switchboard.bench.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/** The trace samples under src/test/resources/traces (tests never read shared/). */
public final class TraceSamples {
    public static final String MOONCAKE = "mooncake_conversation_sample.jsonl";
    public static final String AZURE_CONV = "azure_conv_sample.csv";
    public static final String AZURE_CODE = "azure_code_sample.csv";

    private TraceSamples() {
    }

    public static Path path(String name) {
        try {
            return Path.of(Objects.requireNonNull(TraceSamples.class.getResource("/traces/" + name), name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static BufferedReader reader(String text) {
        return new BufferedReader(new java.io.StringReader(text));
    }

    static BufferedReader resource(String name) {
        return new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(TraceSamples.class.getResourceAsStream("/traces/" + name), name), StandardCharsets.UTF_8));
    }

    static Workload mooncake(long seed) {
        try (BufferedReader in = resource(MOONCAKE)) {
            return MooncakeTraceReader.read(in, MOONCAKE, seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
