package dev.switchboard.sim.core;

import java.util.Objects;

/**
 * The datasheet numbers of one GPU that the simulator needs: memory for the KV-cache capacity, and
 * peak dense BF16 throughput and memory bandwidth for deriving a profile of this GPU from a measured
 * one (see {@link GpuProfile#derive(GpuSpec)}).
 *
 * @param name                   display name, e.g. {@code "NVIDIA H100 80GB HBM3"}
 * @param memoryBytes            device memory as CUDA reports it ({@code torch.cuda.mem_get_info} total,
 *                               the figure vLLM multiplies by {@code gpu_memory_utilization}); a little
 *                               below the marketing size
 * @param bf16TflopsDense        peak dense (non-sparse) BF16 tensor throughput, TFLOP/s
 * @param memoryBandwidthBytesPerSecond peak HBM bandwidth, bytes/s
 */
public record GpuSpec(String name, long memoryBytes, double bf16TflopsDense, double memoryBandwidthBytesPerSecond) {

    private static final long GIB = 1L << 30;

    /**
     * H100 SXM 80GB HBM3: 989 TFLOP/s dense BF16, 3.35 TB/s; CUDA reports 79.19 GiB ("GPU 0 has a total
     * capacity of 79.19 GiB" in PyTorch out-of-memory messages). The calibration was measured on it.
     */
    public static final GpuSpec H100_80GB_HBM3 =
            new GpuSpec("NVIDIA H100 80GB HBM3", Math.round(79.19 * GIB), 989.0, 3.35e12);

    /**
     * A100 SXM 80GB: 312 TFLOP/s dense BF16, about 2.0 TB/s (datasheet 2,039 GB/s SXM, 1,935 GB/s PCIe);
     * CUDA reports 79.15 GiB. Not measured: use {@code GpuProfiles.h100(model).derive(A100_80GB)}.
     */
    public static final GpuSpec A100_80GB =
            new GpuSpec("NVIDIA A100 80GB", Math.round(79.15 * GIB), 312.0, 2.0e12);

    /** Validates the numbers. */
    public GpuSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("memoryBytes must be > 0, but was " + memoryBytes);
        }
        if (!(bf16TflopsDense > 0) || Double.isInfinite(bf16TflopsDense)) {
            throw new IllegalArgumentException("bf16TflopsDense must be a finite number > 0, but was " + bf16TflopsDense);
        }
        if (!(memoryBandwidthBytesPerSecond > 0) || Double.isInfinite(memoryBandwidthBytesPerSecond)) {
            throw new IllegalArgumentException("memoryBandwidthBytesPerSecond must be a finite number > 0, but was "
                    + memoryBandwidthBytesPerSecond);
        }
    }

    /** Peak dense BF16 throughput in FLOP/s. */
    public double flopsPerSecond() {
        return bf16TflopsDense * 1e12;
    }

    /** Roofline time in seconds of an operation doing {@code flops} and moving {@code bytes}. */
    double rooflineSeconds(double flops, double bytes) {
        return Math.max(flops / flopsPerSecond(), bytes / memoryBandwidthBytesPerSecond);
    }
}
