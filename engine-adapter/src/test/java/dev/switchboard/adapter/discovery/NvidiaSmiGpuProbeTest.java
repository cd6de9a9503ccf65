package dev.switchboard.adapter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NvidiaSmiGpuProbeTest {

    static Stream<Arguments> outputs() {
        return Stream.of(
                Arguments.of("H100 node", "NVIDIA H100 80GB HBM3, 81559 MiB, 8\n".repeat(8),
                        Optional.of(new GpuFacts("H100-80GB-HBM3", 80, 8))),
                Arguments.of("nounits output", "NVIDIA A100-SXM4-40GB, 40960, 1\n", Optional.of(new GpuFacts("A100-SXM4-40GB", 40, 1))),
                Arguments.of("L4", "NVIDIA L4, 23034 MiB, 2\nNVIDIA L4, 23034 MiB, 2\n", Optional.of(new GpuFacts("L4", 22, 2))),
                Arguments.of("not available", "[N/A], [N/A], [N/A]\n", Optional.empty()),
                Arguments.of("too few columns", "NVIDIA H100\n", Optional.empty()),
                Arguments.of("empty", "", Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void parsesTheCsvQuery(String what, String csv, Optional<GpuFacts> expected) {
        assertThat(NvidiaSmiGpuProbe.parse(csv)).isEqualTo(expected);
    }

    @Test
    void runsTheCommandWithTheDocumentedQuery(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = \"--query-gpu=name,memory.total,count\" ] && [ \"$2\" = \"--format=csv,noheader\" ]"
                + " || exit 3\necho 'NVIDIA H100 80GB HBM3, 81559 MiB, 2'\necho 'NVIDIA H100 80GB HBM3, 81559 MiB, 2'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

        assertThat(new NvidiaSmiGpuProbe(script.toString(), Duration.ofSeconds(5)).detect())
                .contains(new GpuFacts("H100-80GB-HBM3", 80, 2));
    }

    @Test
    void aMissingOrFailingCommandMeansNoFacts(@TempDir Path dir) throws Exception {
        assertThat(new NvidiaSmiGpuProbe(dir.resolve("absent").toString(), Duration.ofSeconds(5)).detect()).isEmpty();
        Path failing = dir.resolve("failing");
        Files.writeString(failing, "#!/bin/sh\necho 'NVIDIA-SMI has failed'\nexit 9\n");
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwx------"));
        assertThat(new NvidiaSmiGpuProbe(failing.toString(), Duration.ofSeconds(5)).detect()).isEmpty();
    }
}
