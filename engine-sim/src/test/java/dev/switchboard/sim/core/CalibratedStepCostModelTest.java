package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The step-time formula against the calibration README and the measured end-to-end figures. */
class CalibratedStepCostModelTest {
    private static final GpuProfile LLAMA = GpuProfiles.h100("llama-3-8b");
    private static final GpuProfile QWEN = GpuProfiles.h100("qwen2.5-7b");
    private static final CalibratedStepCostModel LLAMA_MODEL = new CalibratedStepCostModel(LLAMA);
    private static final CalibratedStepCostModel LLAMA_BARE = new CalibratedStepCostModel(LLAMA, 1.0);

    @Test
    void batchOneDecodeOfLlamaIsAbout7point5MillisecondsPerToken() {
        double ms = LLAMA_MODEL.stepMillis(StepBatch.decode(1, 1024));
        assertThat(ms).isCloseTo(7.5, withPercentage(2));
    }

    @Test
    void bareKernelsMatchTheCalibrationReadme() {
        // README: "decode step ~6.8 ms at batch 1, ~13 ms at batch 128 (1k context)"
        assertThat(LLAMA_BARE.stepMillis(StepBatch.decode(1, 1024))).isCloseTo(6.8, withPercentage(3));
        assertThat(LLAMA_BARE.stepMillis(StepBatch.decode(128, 1024))).isCloseTo(13.0, withPercentage(3));
    }

    @Test
    void overheadFactorScalesTheWholeStep() {
        StepBatch b = StepBatch.decode(64, 2048);
        assertThat(LLAMA_MODEL.stepMillis(b)).isCloseTo(LLAMA_BARE.stepMillis(b) * 1.11, within(1e-9));
        assertThat(new CalibratedStepCostModel(LLAMA, 1.3).stepNanos(b))
                .isEqualTo(Math.round(LLAMA_BARE.stepMillis(b) * 1.3 * 1e6));
    }

    @ParameterizedTest(name = "{0}: batch {1} -> {2} at context {3}")
    @CsvSource({
            "llama-3-8b, 1, 8, 1024", "llama-3-8b, 8, 32, 1024", "llama-3-8b, 32, 64, 1024",
            "llama-3-8b, 64, 128, 1024", "llama-3-8b, 128, 256, 1024", "llama-3-8b, 256, 512, 1024",
            "llama-3-8b, 512, 1024, 1024", "llama-3-8b, 16, 128, 8192", "qwen2.5-7b, 1, 32, 1024",
            "qwen2.5-7b, 32, 256, 4096", "qwen2.5-7b, 256, 1024, 2048"})
    void decodeStepGrowsWithBatch(String model, int smaller, int larger, int context) {
        CalibratedStepCostModel m = new CalibratedStepCostModel(GpuProfiles.h100(model));
        assertThat(m.stepMillis(StepBatch.decode(larger, context)))
                .isGreaterThan(m.stepMillis(StepBatch.decode(smaller, context)));
    }

    @ParameterizedTest(name = "batch {0}: context {1} -> {2}")
    @CsvSource({"1, 256, 1024", "1, 1024, 4096", "1, 16384, 65536", "32, 256, 1024", "32, 4096, 16384",
            "128, 1024, 4096", "128, 4096, 16384", "256, 1024, 4096", "1024, 512, 2048"})
    void decodeStepGrowsWithContext(int batch, int shorter, int longer) {
        assertThat(LLAMA_MODEL.stepMillis(StepBatch.decode(batch, longer)))
                .isGreaterThan(LLAMA_MODEL.stepMillis(StepBatch.decode(batch, shorter)));
    }

    /**
     * Cross-check with the measured end-to-end decode steps of engine-protocols.md 6.4 (a synthetic
     * forward with CUDA graphs, a different run from the per-operator calibration): the operator sum
     * stays within 12%.
     */
    @ParameterizedTest(name = "batch {0}, context {1}: measured {2} ms")
    @CsvSource({"1, 1024, 6.26", "8, 1024, 6.79", "32, 1024, 8.10", "64, 1024, 9.90", "128, 1024, 13.74",
            "256, 1024, 21.13", "1, 4096, 6.42", "8, 4096, 7.98", "32, 4096, 13.14", "64, 4096, 19.68",
            "128, 4096, 33.20"})
    void bareKernelsTrackMeasuredEndToEndDecodeSteps(int batch, int context, double measuredMs) {
        assertThat(LLAMA_BARE.stepMillis(StepBatch.decode(batch, context))).isCloseTo(measuredMs, withPercentage(12));
    }

    @ParameterizedTest(name = "{0}: {1}-token prefill")
    @CsvSource({"llama-3-8b, 8192", "llama-3-8b, 4096", "llama-3-8b, 2048", "qwen2.5-7b, 8192", "qwen2.5-7b, 4096"})
    void prefillThroughputIs30to40kTokensPerSecond(String model, int tokens) {
        CalibratedStepCostModel m = new CalibratedStepCostModel(GpuProfiles.h100(model));
        double tokensPerSecond = tokens / (m.stepMillis(StepBatch.prefill(tokens, 0)) / 1000);
        assertThat(tokensPerSecond).isBetween(30_000.0, 40_000.0);
    }

    @Test
    void prefillOnACachedPrefixCostsMoreAttentionThanOnAnEmptyCache() {
        double empty = LLAMA_MODEL.stepMillis(StepBatch.prefill(2048, 0));
        double onTop = LLAMA_MODEL.stepMillis(StepBatch.prefill(2048, 16384));
        assertThat(onTop).isGreaterThan(empty);
        // a one-token chunk on a long prefix is bounded below by reading that prefix's KV once
        ModelCalibration m = LLAMA.model();
        assertThat(m.prefillAttentionMs(1, 16383)).isEqualTo(m.decodeAttentionMs(1, 16384));
    }

    @Test
    void aMixedStepAddsDenseForAllTokensAndOneLmHeadRowPerSamplingSequence() {
        ModelCalibration m = LLAMA.model();
        StepBatch mixed = new StepBatch(100, 100L * 2000, List.of(new StepBatch.PrefillChunk(1000, 0),
                new StepBatch.PrefillChunk(500, 4096)), 101);
        double expected = 32 * (m.denseLayerMs(1600) + m.decodeAttentionMs(100, 2000)
                + m.prefillAttentionMs(1000, 0) + m.prefillAttentionMs(500, 4096)) + m.lmHeadMs(101);
        assertThat(LLAMA_BARE.stepMillis(mixed)).isCloseTo(expected, within(1e-9));
        assertThat(mixed.totalTokens()).isEqualTo(1600);
        assertThat(LLAMA_MODEL.stepNanos(new StepBatch(0, 0, List.of(), 0))).isZero();
    }

    @Test
    void qwenDecodesFasterThanLlamaAtLongContextBecauseItsKvIsSmaller() {
        CalibratedStepCostModel qwen = new CalibratedStepCostModel(QWEN);
        assertThat(qwen.stepMillis(StepBatch.decode(128, 4096)))
                .isLessThan(LLAMA_MODEL.stepMillis(StepBatch.decode(128, 4096)));
    }

    @Test
    void derivedA100IsBandwidthScaledForDecodeAndComputeScaledForPrefill() {
        CalibratedStepCostModel a100 = new CalibratedStepCostModel(GpuProfiles.a100("llama-3-8b"));
        double decodeRatio = a100.stepMillis(StepBatch.decode(1, 1024)) / LLAMA_MODEL.stepMillis(StepBatch.decode(1, 1024));
        double prefillRatio = a100.stepMillis(StepBatch.prefill(8192, 0)) / LLAMA_MODEL.stepMillis(StepBatch.prefill(8192, 0));
        assertThat(decodeRatio).isCloseTo(3.35 / 2.0, withPercentage(3));
        assertThat(prefillRatio).isCloseTo(989.0 / 312.0, withPercentage(6));
        // published: vLLM on A100, Llama-3.1-8B BF16 single stream ~13.3 ms/token (A100-40GB, 1.55 TB/s)
        assertThat(a100.stepMillis(StepBatch.decode(1, 1024))).isBetween(11.0, 14.0);
    }

    @Test
    void rejectsAnOverheadBelowOne() {
        assertThatThrownBy(() -> new CalibratedStepCostModel(LLAMA, 0.9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("overheadFactor must be a finite number >= 1, but was 0.9");
    }

    @Test
    void stepBatchValidatesItsCounts() {
        assertThatThrownBy(() -> new StepBatch(2, 1, List.of(), 2))
                .hasMessage("decodeContextTokens must be >= decodeSequences (2), but was 1");
        assertThatThrownBy(() -> new StepBatch(1, 10, List.of(), 2))
                .hasMessage("samplingSequences must be in [0, 1], but was 2");
        assertThatThrownBy(() -> new StepBatch.PrefillChunk(0, 0)).hasMessage("newTokens must be >= 1, but was 0");
    }
}
