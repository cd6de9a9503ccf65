package dev.switchboard.adapter.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.KvEvent;

class DescriptorResolverTest {
    private static final Optional<GpuFacts> H100 = Optional.of(new GpuFacts("H100-80GB-HBM3", 80, 8));
    private static final EngineFacts ENGINE = new EngineFacts(32, 500_000, 8192, List.of());

    private static AdapterProperties.Engine config(String gpuType, int gpuCount, int gpuMem, int block, long capacity, int modelLen) {
        return new AdapterProperties.Engine(8071, "e", EngineRole.DECODE, AdapterProperties.EngineKindSetting.AUTO, "m", List.of(),
                URI.create("http://127.0.0.1:8001"), gpuType, gpuCount, gpuMem, block, capacity, 0, modelLen, PdTransferKind.NIXL,
                0, "", "", "", "", KvEvent.HashSpace.ENGINE);
    }

    record Expect(String gpuType, int gpuCount, int gpuMem, int block, long capacity, int modelLen) {
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing configured: engine and nvidia-smi facts", config("", 0, 0, 0, 0, 0), ENGINE, H100,
                        new Expect("H100-80GB-HBM3", 8, 80, 32, 500_000, 8192)),
                Arguments.of("configured values win over detection", config("A100-40GB", 2, 40, 16, 100, 4096), ENGINE, H100,
                        new Expect("A100-40GB", 2, 40, 16, 100, 4096)),
                Arguments.of("nothing known: contract defaults", config("", 0, 0, 0, 0, 0), EngineFacts.none("down"),
                        Optional.empty(), new Expect("unknown", 1, 0, 16, 0, 0)),
                Arguments.of("partly configured", config("", 2, 0, 0, 0, 0), new EngineFacts(16, 0, 0, List.of()), H100,
                        new Expect("H100-80GB-HBM3", 2, 80, 16, 0, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void configuredThenDetectedThenDefault(String what, AdapterProperties.Engine config, EngineFacts facts,
            Optional<GpuFacts> gpu, Expect expect) {
        EngineDescriptor d = DescriptorResolver.resolve(config, EngineKind.SGLANG, facts, gpu);
        assertThat(d.engineKind()).isEqualTo(EngineKind.SGLANG);
        assertThat(new Expect(d.gpuType(), d.gpuCount(), d.gpuMemoryGib(), d.kvBlockSize(), d.kvCapacityTokens(), d.maxModelLen()))
                .isEqualTo(expect);
        assertThat(d.pdTransfer()).isEqualTo(PdTransferKind.NIXL);
    }
}
