package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The core reads no clock, sleeps nowhere, starts no threads and imports no framework. */
class CorePackageRulesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/switchboard/sim/core");
    private static final Pattern FORBIDDEN = Pattern.compile(
            "System\\.(nanoTime|currentTimeMillis)|Thread\\.sleep|new Thread\\b|Instant\\.now|Clock\\b|LocalDateTime\\.now"
                    + "|java\\.util\\.concurrent|import org\\.springframework|import reactor\\.|import io\\.micrometer"
                    + "|synchronized|ExecutorService|CompletableFuture");
    private static final Pattern JACKSON = Pattern.compile("import tools\\.jackson|import com\\.fasterxml");

    static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void noClockNoThreadsNoFramework(Path source) throws IOException {
        String code = Files.readString(source);
        assertThat(FORBIDDEN.matcher(code).find()).as("forbidden construct in " + source).isFalse();
        if (!source.getFileName().toString().equals("GpuProfiles.java")) {
            assertThat(JACKSON.matcher(code).find()).as("Jackson outside the calibration loader: " + source).isFalse();
        }
    }

    @org.junit.jupiter.api.Test
    void theRuleSeesTheSources() throws IOException {
        assertThat(sources()).extracting(p -> p.getFileName().toString()).contains("EngineCore.java", "GpuProfiles.java");
    }
}
