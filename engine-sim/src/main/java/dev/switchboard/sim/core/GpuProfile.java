package dev.switchboard.sim.core;

import java.util.Objects;

/**
 * One model on one GPU: what the simulator needs to size the KV cache and price a step.
 *
 * <h2>Adding a GPU</h2>
 * <ol>
 *   <li><b>Measured (preferred).</b> Run the calibration script on the GPU, add its JSON (same format as
 *       {@code calibration/h100-ops.json}) and load it with
 *       {@link GpuProfiles#load(java.io.InputStream, GpuSpec)} together with the GPU's {@link GpuSpec}.</li>
 *   <li><b>Derived from datasheet ratios.</b> {@code GpuProfiles.h100(model).derive(spec)} rescales every
 *       measured point by the ratio of its roofline time on the two GPUs:
 *       <pre>t_target = t_measured · max(F/F_t, B/BW_t) / max(F/F_s, B/BW_s)</pre>
 *       where {@code F} and {@code B} are the point's FLOPs and bytes (from the model shape) and
 *       {@code F_x}, {@code BW_x} the GPUs' peak dense BF16 FLOP/s and HBM bandwidth. So
 *       compute-bound points (large prefills, big dense batches, LM head at large batch) scale by the
 *       FLOP/s ratio (H100 to A100: x 989/312 = 3.17), bandwidth-bound points (decode: weight reads and
 *       KV reads) by the bandwidth ratio (x 3.35/2.0 = 1.675), and points near the ridge by something in
 *       between. Deciding per point, from its arithmetic intensity, is what "compute-bound parts x FLOPs
 *       ratio, bandwidth-bound parts x bandwidth ratio" means when one table spans both regimes. Kernel
 *       launch floors are scaled like bandwidth, which is slightly pessimistic. Memory (KV capacity)
 *       comes from the target's {@link GpuSpec#memoryBytes()}.</li>
 * </ol>
 *
 * @param gpu     the GPU
 * @param model   the model's shape and timings on that GPU
 * @param derived whether the timings were derived by {@link #derive} rather than measured
 */
public record GpuProfile(GpuSpec gpu, ModelCalibration model, boolean derived) {

    /** Requires both parts. */
    public GpuProfile {
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(model, "model");
    }

    /** The same model on {@code target}, timings rescaled by the roofline rule of the class comment. */
    public GpuProfile derive(GpuSpec target) {
        Objects.requireNonNull(target, "target");
        ModelCalibration m = model;
        GpuSpec source = gpu;
        LatencyCurve dense = m.denseLayer().mapPoints((tokens, ms) ->
                ms * ratio(source, target, m.denseFlops(tokens), m.denseBytes(tokens)));
        LatencyCurve lmHead = m.lmHead().mapPoints((seqs, ms) ->
                ms * ratio(source, target, m.lmHeadFlops(seqs), m.lmHeadBytes(seqs)));
        LatencyCurve prefill = m.prefillAttention().mapPoints((pairs, ms) ->
                ms * ratio(source, target, m.prefillAttentionFlops(pairs), m.prefillAttentionBytes(pairs)));
        DecodeAttentionGrid decode = m.decodeAttention().mapRows((batch, row) -> row.mapPoints((context, ms) ->
                ms * ratio(source, target, m.decodeAttentionFlops(batch, context), m.decodeAttentionBytes(batch, context))));
        ModelCalibration scaled = new ModelCalibration(m.model(), m.layers(), m.hidden(), m.heads(), m.kvHeads(),
                m.headDim(), m.intermediate(), m.vocab(), m.kvBytesPerToken(), m.weightBytes(),
                dense, lmHead, decode, prefill);
        return new GpuProfile(target, scaled, true);
    }

    private static double ratio(GpuSpec source, GpuSpec target, double flops, double bytes) {
        return target.rooflineSeconds(flops, bytes) / source.rooflineSeconds(flops, bytes);
    }

    /**
     * KV-cache blocks of this model on this GPU, the way vLLM sizes them:
     * {@code (memory x gpuMemoryUtilization - weights - activationReserve) / (blockSize x kvBytesPerToken)}.
     * Like vLLM's {@code num_gpu_blocks}, the count includes block 0, which vLLM keeps as the null block.
     *
     * @param gpuMemoryUtilization   fraction of device memory the engine may use, in (0, 1]
     * @param activationReserveBytes memory kept for activations at the peak batch, CUDA graphs and
     *                               non-PyTorch allocations (vLLM measures it by profiling)
     * @param blockSize              tokens per KV block
     * @throws IllegalArgumentException if nothing is left for the KV cache
     */
    public int numGpuBlocks(double gpuMemoryUtilization, long activationReserveBytes, int blockSize) {
        if (!(gpuMemoryUtilization > 0) || gpuMemoryUtilization > 1) {
            throw new IllegalArgumentException("gpuMemoryUtilization must be in (0, 1], but was " + gpuMemoryUtilization);
        }
        if (activationReserveBytes < 0) {
            throw new IllegalArgumentException("activationReserveBytes must be >= 0, but was " + activationReserveBytes);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1, but was " + blockSize);
        }
        double kvBytes = gpu.memoryBytes() * gpuMemoryUtilization - model.weightBytes() - activationReserveBytes;
        long blocks = (long) Math.floor(kvBytes / ((double) blockSize * model.kvBytesPerToken()));
        if (blocks < 2) {
            throw new IllegalArgumentException("no memory left for the KV cache of " + model.model() + " on " + gpu.name()
                    + ": " + Math.round(kvBytes) + " bytes after weights and reserve");
        }
        return (int) Math.min(Integer.MAX_VALUE, blocks);
    }
}
