package dev.switchboard.sim.core;

import java.util.Objects;

/**
 * Step time from measured operator timings:
 * <pre>
 * t = overhead x ( layers x ( dense(d + p) + decodeAttn(d, meanContext) + sum prefillAttn(chunk) )
 *                  + lmHead(sequences sampling a token) )
 * </pre>
 * for {@code d} decode sequences and prefill chunks totalling {@code p} tokens, as in
 * {@code shared/calibration/README.md}. The measured operators are a floor (no sampling, RoPE,
 * scheduling or Python overhead); {@code overheadFactor} scales them up to what an engine achieves.
 */
public final class CalibratedStepCostModel implements StepCostModel {

    /**
     * Default engine overhead: 7.5 / 6.74. The calibration gives 6.74 ms for a batch-1 decode step of
     * llama-3-8b at 1k context on H100; vLLM measures about 6.5-7.5 ms TPOT at concurrency 1 on H100
     * (engine-protocols.md 6.4), and the issue asks for ~7.5 ms, i.e. about 11% of overhead, within
     * the README's "real vLLM is roughly 10-30% slower".
     */
    public static final double DEFAULT_OVERHEAD_FACTOR = 1.11;

    private final GpuProfile profile;
    private final double overheadFactor;

    /** A cost model with {@link #DEFAULT_OVERHEAD_FACTOR}. */
    public CalibratedStepCostModel(GpuProfile profile) {
        this(profile, DEFAULT_OVERHEAD_FACTOR);
    }

    /**
     * @param profile        model and GPU
     * @param overheadFactor multiplier on the operator sum, at least 1 (1 = bare kernels)
     */
    public CalibratedStepCostModel(GpuProfile profile, double overheadFactor) {
        this.profile = Objects.requireNonNull(profile, "profile");
        if (!(overheadFactor >= 1.0) || Double.isInfinite(overheadFactor)) {
            throw new IllegalArgumentException("overheadFactor must be a finite number >= 1, but was " + overheadFactor);
        }
        this.overheadFactor = overheadFactor;
    }

    /** The profile this model prices. */
    public GpuProfile profile() {
        return profile;
    }

    /** The engine overhead multiplier. */
    public double overheadFactor() {
        return overheadFactor;
    }

    /** Operator time of {@code batch} in milliseconds, before the overhead factor. */
    public double kernelMillis(StepBatch batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        ModelCalibration m = profile.model();
        double perLayer = m.denseLayerMs(batch.totalTokens());
        if (batch.decodeSequences() > 0) {
            double meanContext = (double) batch.decodeContextTokens() / batch.decodeSequences();
            perLayer += m.decodeAttentionMs(batch.decodeSequences(), meanContext);
        }
        for (StepBatch.PrefillChunk c : batch.prefills()) {
            perLayer += m.prefillAttentionMs(c.newTokens(), c.cachedTokens());
        }
        return m.layers() * perLayer + m.lmHeadMs(batch.samplingSequences());
    }

    /** Step time of {@code batch} in milliseconds, overhead included. */
    public double stepMillis(StepBatch batch) {
        return kernelMillis(batch) * overheadFactor;
    }

    @Override
    public long stepNanos(StepBatch batch) {
        return Math.round(stepMillis(batch) * 1e6);
    }

    @Override
    public long kvBytesPerToken() {
        return profile.model().kvBytesPerToken();
    }

    @Override
    public String toString() {
        return "CalibratedStepCostModel[" + profile.model().model() + " on " + profile.gpu().name()
                + (profile.derived() ? " (derived)" : "") + ", overhead x" + overheadFactor + "]";
    }
}
