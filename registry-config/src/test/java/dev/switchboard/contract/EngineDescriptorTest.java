package dev.switchboard.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EngineDescriptorTest {

    static EngineDescriptor full() {
        return new EngineDescriptor("prefill-1", EngineRole.PREFILL, EngineKind.SGLANG, "llama-3-8b",
                List.of("sql-lora", "chat-lora"), URI.create("http://127.0.0.1:8001"), "H100-80GB", 2, 80, 16,
                430_000, 131_072, 32_768, PdTransferKind.MOONCAKE, 8998, "node-a", "zone-1");
    }

    static Map<String, String> minimalMetadata() {
        Map<String, String> m = new HashMap<>();
        m.put(MetadataKeys.ENDPOINT_ID, "decode-1");
        m.put(MetadataKeys.ROLE, "decode");
        m.put(MetadataKeys.ENGINE_KIND, "vllm");
        m.put(MetadataKeys.MODEL, "llama-3-8b");
        m.put(MetadataKeys.ENGINE_URL, "http://127.0.0.1:8003");
        return m;
    }

    @Test
    void metadataRoundTripKeepsEveryField() {
        EngineDescriptor d = full();
        assertThat(EngineDescriptor.fromMetadata(d.toMetadata())).isEqualTo(d);
    }

    @Test
    void missingOptionalKeysTakeDefaultsAndForeignKeysAreIgnored() {
        Map<String, String> m = minimalMetadata();
        m.put("preserved.register.source", "SPRING_CLOUD");
        EngineDescriptor d = EngineDescriptor.fromMetadata(m);
        assertThat(d.role()).isEqualTo(EngineRole.DECODE);
        assertThat(d.kvBlockSize()).isEqualTo(16);
        assertThat(d.gpuCount()).isEqualTo(1);
        assertThat(d.gpuType()).isEqualTo("unknown");
        assertThat(d.pdTransfer()).isEqualTo(PdTransferKind.NONE);
        assertThat(d.loras()).isEmpty();
        assertThat(d.serves("llama-3-8b")).isTrue();
        assertThat(d.serves("other")).isFalse();
    }

    static Stream<Arguments> badMetadata() {
        return Stream.of(
                Arguments.of(MetadataKeys.ROLE, "router",
                        "switchboard.role has invalid value 'router' ('router' is not a valid EngineRole; expected one of [unified, prefill, decode])"),
                Arguments.of(MetadataKeys.ENGINE_KIND, "tgi",
                        "switchboard.engine-kind has invalid value 'tgi' ('tgi' is not a valid EngineKind; expected one of [vllm, sglang])"),
                Arguments.of(MetadataKeys.GPU_COUNT, "two",
                        "switchboard.gpu-count has invalid value 'two' (not a number)"),
                Arguments.of(MetadataKeys.GPU_COUNT, "0", "switchboard.gpu-count must be >= 1, but was 0"),
                Arguments.of(MetadataKeys.KV_CAPACITY_TOKENS, "-5", "switchboard.kv-capacity-tokens must be >= 0, but was -5"),
                Arguments.of(MetadataKeys.KV_BLOCK_SIZE, "0", "switchboard.kv-block-size must be >= 1, but was 0"),
                Arguments.of(MetadataKeys.BOOTSTRAP_PORT, "70000", "switchboard.bootstrap-port must be in [0, 65535], but was 70000"),
                Arguments.of(MetadataKeys.ENGINE_URL, "localhost:8001",
                        "switchboard.engine-url must be an absolute http(s) URL, but was 'localhost:8001'"),
                Arguments.of(MetadataKeys.PD_TRANSFER, "rdma",
                        "switchboard.pd-transfer has invalid value 'rdma' ('rdma' is not a valid PdTransferKind; expected one of [none, nixl, mooncake])"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badMetadata")
    void badValuesAreRejectedWithKeyAndValue(String key, String value, String expectedProblem) {
        Map<String, String> m = minimalMetadata();
        m.put(key, value);
        assertThatThrownBy(() -> EngineDescriptor.fromMetadata(m))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'decode-1'")
                .hasMessageContaining(expectedProblem);
    }

    @Test
    void everyMissingRequiredKeyIsReportedAtOnce() {
        assertThatThrownBy(() -> EngineDescriptor.fromMetadata(Map.of()))
                .hasMessageContaining("switchboard.endpoint-id is required")
                .hasMessageContaining("switchboard.model is required")
                .hasMessageContaining("switchboard.role is required")
                .hasMessageContaining("switchboard.engine-kind is required")
                .hasMessageContaining("switchboard.engine-url is required");
    }

    @Test
    void everyKeyIsUnderTheSwitchboardPrefixAndWrittenByAFullDescriptor() {
        assertThat(MetadataKeys.ALL).allMatch(k -> k.startsWith("switchboard."));
        assertThat(full().toMetadata().keySet()).containsExactlyInAnyOrderElementsOf(MetadataKeys.ALL);
    }
}
