package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuProfilesTest {

    @Test
    void bundledCalibrationHasBothModelsWithTheirShapes() {
        assertThat(GpuProfiles.h100Models()).containsExactly("llama-3-8b", "qwen2.5-7b");
        ModelCalibration llama = GpuProfiles.h100("llama-3-8b").model();
        assertThat(llama.layers()).isEqualTo(32);
        assertThat(llama.kvBytesPerToken()).isEqualTo(128 * 1024);
        assertThat(llama.kvBytesPerToken()).isEqualTo(2L * llama.layers() * llama.kvHeads() * llama.headDim() * 2);
        assertThat(llama.parametersPerLayer() * llama.layers() + 2L * llama.vocab() * llama.hidden())
                .isEqualTo(llama.weightBytes() / 2);
        ModelCalibration qwen = GpuProfiles.h100("qwen2.5-7b").model();
        assertThat(qwen.layers()).isEqualTo(28);
        assertThat(qwen.kvBytesPerToken()).isEqualTo(56 * 1024);
        assertThat(GpuProfiles.h100("qwen2.5-7b").gpu()).isEqualTo(GpuSpec.H100_80GB_HBM3);
        assertThat(GpuProfiles.h100("qwen2.5-7b").derived()).isFalse();
    }

    /** Calibration README: "~430k tokens (llama-3-8b), ~1M tokens (qwen2.5-7b)" at 0.9 utilisation. */
    @ParameterizedTest(name = "{0} on {1}: ~{2} tokens")
    @CsvSource({"llama-3-8b, h100, 430000, 3", "qwen2.5-7b, h100, 1000000, 5", "llama-3-8b, a100, 430000, 3"})
    void kvCapacityMatchesTheCalibrationReadme(String model, String gpu, long expectedTokens, int percent) {
        GpuProfile p = gpu.equals("h100") ? GpuProfiles.h100(model) : GpuProfiles.a100(model);
        EngineConfig c = EngineConfig.builder(p).build();
        assertThat(c.kvCapacityTokens()).isCloseTo(expectedTokens, withPercentage(percent));
        assertThat(c.kvCapacityTokens()).isEqualTo((long) c.numGpuBlocks() * 16);
    }

    @Test
    void capacityFollowsUtilisationAndReserve() {
        GpuProfile p = GpuProfiles.h100("llama-3-8b");
        long blockBytes = 16L * 131072;
        int base = p.numGpuBlocks(0.9, 0, 16);
        assertThat(p.numGpuBlocks(0.9, 10 * blockBytes, 16)).isEqualTo(base - 10);
        assertThat(p.numGpuBlocks(0.5, 0, 16)).isLessThan(base);
        assertThatThrownBy(() -> p.numGpuBlocks(0.1, 0, 16))
                .hasMessageStartingWith("no memory left for the KV cache of llama-3-8b");
        assertThatThrownBy(() -> p.numGpuBlocks(1.5, 0, 16))
                .hasMessage("gpuMemoryUtilization must be in (0, 1], but was 1.5");
    }

    @Test
    void batchDefaultsFollowVllmPerGpu() {
        EngineConfig h100 = EngineConfig.builder(GpuProfiles.h100("llama-3-8b")).build();
        EngineConfig a100 = EngineConfig.builder(GpuProfiles.a100("llama-3-8b")).build();
        assertThat(h100.tokenBudget()).isEqualTo(8192);
        assertThat(h100.maxNumSeqs()).isEqualTo(1024);
        assertThat(a100.tokenBudget()).isEqualTo(2048);
        assertThat(a100.maxNumSeqs()).isEqualTo(256);
        assertThat(EngineConfig.builder(GpuProfiles.a100("llama-3-8b")).tokenBudget(4096).build().tokenBudget())
                .isEqualTo(4096);
    }

    @Test
    void derivedProfileIsMarkedAndKeepsTheShape() {
        GpuProfile a100 = GpuProfiles.a100("qwen2.5-7b");
        assertThat(a100.derived()).isTrue();
        assertThat(a100.gpu()).isEqualTo(GpuSpec.A100_80GB);
        assertThat(a100.model().layers()).isEqualTo(28);
        assertThat(a100.model().denseLayerMs(16384)).isGreaterThan(GpuProfiles.h100("qwen2.5-7b").model().denseLayerMs(16384) * 3);
    }

    @Test
    void loadsACalibrationFileForAnotherGpu() {
        String json = """
                {"device": "test GPU", "extra": 1, "models": [{"model": "tiny", "layers": 2, "hidden": 64, "heads": 4,
                  "kv_heads": 2, "head_dim": 16, "inter": 128, "vocab": 1000, "kv_bytes_per_token": 256,
                  "weight_bytes": 1000000,
                  "dense_layer_ms": [{"tokens": 1, "ms": 0.1}, {"tokens": 1024, "ms": 0.5}],
                  "lm_head_ms": [{"tokens": 1, "ms": 0.05}],
                  "decode_attn_layer_ms": [{"batch": 1, "context": 256, "ms": 0.01}],
                  "prefill_attn_layer_ms": [{"new_tokens": 128, "cached_tokens": 0, "ms": 0.02},
                                            {"new_tokens": 128, "cached_tokens": 512, "ms": 0.9}]}]}
                """;
        GpuSpec gpu = new GpuSpec("test GPU", 1L << 30, 100, 1e12);
        GpuProfile p = GpuProfiles.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), gpu).get("tiny");
        assertThat(p.gpu()).isEqualTo(gpu);
        assertThat(p.model().denseLayerMs(1024)).isEqualTo(0.5);
        // only the cached=0 prefill point is used
        assertThat(p.model().prefillAttention().size()).isEqualTo(1);
    }

    @Test
    void unknownModelNamesTheKnownOnes() {
        assertThatThrownBy(() -> GpuProfiles.h100("gpt-5"))
                .hasMessage("no calibration for model 'gpt-5'; known: [llama-3-8b, qwen2.5-7b]");
    }

    @Test
    void gpuSpecValidates() {
        assertThatThrownBy(() -> new GpuSpec("x", 0, 1, 1)).hasMessage("memoryBytes must be > 0, but was 0");
    }
}
