package dev.switchboard.sim.core;

import java.time.Duration;
import java.util.Objects;

import dev.switchboard.contract.EngineRole;

/**
 * Scheduler and KV-cache settings of one simulated engine. Defaults are vLLM V1's on an H100.
 *
 * @param role                  unified, prefill (finishes after the prompt, keeps KV for pickup) or
 *                              decode (takes prefilled KV over the link)
 * @param blockSize             tokens per KV block ({@value #DEFAULT_BLOCK_SIZE} on CUDA)
 * @param numGpuBlocks          KV blocks including the null block 0, as vLLM's {@code num_gpu_blocks};
 *                              {@code numGpuBlocks - 1} are usable
 * @param tokenBudget           tokens per step, vLLM's {@code max_num_batched_tokens}
 * @param maxNumSeqs            running sequences, vLLM's {@code max_num_seqs}
 * @param prefixCaching         whether full blocks are reused across requests
 * @param gpuMemoryUtilization  the utilisation the capacity was sized with (reported, e.g. in
 *                              {@code vllm:cache_config_info})
 * @param kvLinkBytesPerSecond  P/D KV transfer bandwidth into this engine
 * @param kvTransferSetup       fixed cost of one P/D transfer (handshake, descriptor exchange)
 * @param kvPickupTimeout       how long a prefill-role engine keeps finished KV for pickup
 */
public record EngineConfig(EngineRole role, int blockSize, int numGpuBlocks, int tokenBudget, int maxNumSeqs,
                           boolean prefixCaching, double gpuMemoryUtilization, long kvLinkBytesPerSecond,
                           Duration kvTransferSetup, Duration kvPickupTimeout) {

    /** vLLM's block size on CUDA. */
    public static final int DEFAULT_BLOCK_SIZE = 16;
    /** vLLM V1 {@code max_num_batched_tokens} for the API server on GPUs with >= 70 GiB, not A100. */
    public static final int DEFAULT_TOKEN_BUDGET = 8192;
    /** vLLM V1 {@code max_num_seqs} on the same GPUs. */
    public static final int DEFAULT_MAX_NUM_SEQS = 1024;
    /** vLLM's default {@code gpu_memory_utilization}. */
    public static final double DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;
    /**
     * Memory kept out of the KV cache: peak activations of an 8192-token step, CUDA graphs, NCCL and
     * cuBLAS workspaces. vLLM profiles it; 2-5 GiB for an 8B model on H100 (engine-protocols.md 6.2);
     * 3.5 GiB reproduces the calibration README's capacities (~430k tokens for llama-3-8b, ~1.0M for
     * qwen2.5-7b).
     */
    public static final long DEFAULT_ACTIVATION_RESERVE_BYTES = 7L << 29;
    /** Default P/D link: 25 GB/s (a 200-400G RDMA NIC, effective). */
    public static final long DEFAULT_KV_LINK_BYTES_PER_SECOND = 25_000_000_000L;
    /** Default P/D setup cost per transfer (RDMA: 0.5-2 ms). */
    public static final Duration DEFAULT_KV_TRANSFER_SETUP = Duration.ofMillis(1);
    /** vLLM's {@code VLLM_NIXL_ABORT_REQUEST_TIMEOUT}: a prefill engine frees unclaimed KV after 480 s. */
    public static final Duration DEFAULT_KV_PICKUP_TIMEOUT = Duration.ofSeconds(480);

    /** Validates every field. */
    public EngineConfig {
        Objects.requireNonNull(role, "role");
        atLeast("blockSize", blockSize, 1);
        atLeast("numGpuBlocks", numGpuBlocks, 2);
        atLeast("tokenBudget", tokenBudget, 1);
        atLeast("maxNumSeqs", maxNumSeqs, 1);
        if (!(gpuMemoryUtilization > 0) || gpuMemoryUtilization > 1) {
            throw new IllegalArgumentException("gpuMemoryUtilization must be in (0, 1], but was " + gpuMemoryUtilization);
        }
        if (kvLinkBytesPerSecond < 1) {
            throw new IllegalArgumentException("kvLinkBytesPerSecond must be >= 1, but was " + kvLinkBytesPerSecond);
        }
        Objects.requireNonNull(kvTransferSetup, "kvTransferSetup");
        Objects.requireNonNull(kvPickupTimeout, "kvPickupTimeout");
        if (kvTransferSetup.isNegative()) {
            throw new IllegalArgumentException("kvTransferSetup must be >= 0, but was " + kvTransferSetup);
        }
        if (kvPickupTimeout.isNegative() || kvPickupTimeout.isZero()) {
            throw new IllegalArgumentException("kvPickupTimeout must be > 0, but was " + kvPickupTimeout);
        }
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", but was " + value);
        }
    }

    /** Usable KV blocks ({@code numGpuBlocks - 1}: vLLM reserves block 0). */
    public int usableBlocks() {
        return numGpuBlocks - 1;
    }

    /** KV capacity in tokens as vLLM logs it ("GPU KV cache size: N tokens" = {@code numGpuBlocks x blockSize}). */
    public long kvCapacityTokens() {
        return (long) numGpuBlocks * blockSize;
    }

    /** vLLM V1's {@code max_num_batched_tokens} / {@code max_num_seqs} on A100s and GPUs under 70 GiB. */
    public static final int SMALL_GPU_TOKEN_BUDGET = 2048;
    /** See {@link #SMALL_GPU_TOKEN_BUDGET}. */
    public static final int SMALL_GPU_MAX_NUM_SEQS = 256;

    /**
     * A builder sized for {@code profile} (0.9 utilisation, 3.5 GiB reserve) with vLLM V1's batch defaults
     * for its GPU ({@code get_batch_defaults}): 8192 tokens / 1024 sequences on GPUs with at least 70 GiB
     * that are not A100s (H100, H200, MI300X), 2048 / 256 otherwise.
     */
    public static Builder builder(GpuProfile profile) {
        Builder b = new Builder(Objects.requireNonNull(profile, "profile"));
        GpuSpec gpu = profile.gpu();
        boolean large = gpu.memoryBytes() >= 70L * (1L << 30) && !gpu.name().contains("A100");
        if (!large) {
            b.tokenBudget(SMALL_GPU_TOKEN_BUDGET).maxNumSeqs(SMALL_GPU_MAX_NUM_SEQS);
        }
        return b;
    }

    /** A builder with vLLM's H100 defaults and an explicit block count (tests, small engines). */
    public static Builder builder(int numGpuBlocks) {
        return new Builder(null).numGpuBlocks(numGpuBlocks);
    }

    /** A copy with another role. */
    public EngineConfig withRole(EngineRole newRole) {
        return new EngineConfig(newRole, blockSize, numGpuBlocks, tokenBudget, maxNumSeqs, prefixCaching,
                gpuMemoryUtilization, kvLinkBytesPerSecond, kvTransferSetup, kvPickupTimeout);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final GpuProfile profile;
        private EngineRole role = EngineRole.UNIFIED;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private Integer numGpuBlocks;
        private int tokenBudget = DEFAULT_TOKEN_BUDGET;
        private int maxNumSeqs = DEFAULT_MAX_NUM_SEQS;
        private boolean prefixCaching = true;
        private double gpuMemoryUtilization = DEFAULT_GPU_MEMORY_UTILIZATION;
        private long activationReserveBytes = DEFAULT_ACTIVATION_RESERVE_BYTES;
        private long kvLinkBytesPerSecond = DEFAULT_KV_LINK_BYTES_PER_SECOND;
        private Duration kvTransferSetup = DEFAULT_KV_TRANSFER_SETUP;
        private Duration kvPickupTimeout = DEFAULT_KV_PICKUP_TIMEOUT;

        private Builder(GpuProfile profile) {
            this.profile = profile;
        }

        /** Engine role. */
        public Builder role(EngineRole value) {
            this.role = value;
            return this;
        }

        /** Tokens per block. */
        public Builder blockSize(int value) {
            this.blockSize = value;
            return this;
        }

        /** Overrides the block count computed from the profile (vLLM's {@code num_gpu_blocks_override}). */
        public Builder numGpuBlocks(int value) {
            this.numGpuBlocks = value;
            return this;
        }

        /** Tokens per step. */
        public Builder tokenBudget(int value) {
            this.tokenBudget = value;
            return this;
        }

        /** Running sequences cap. */
        public Builder maxNumSeqs(int value) {
            this.maxNumSeqs = value;
            return this;
        }

        /** Prefix caching on or off. */
        public Builder prefixCaching(boolean value) {
            this.prefixCaching = value;
            return this;
        }

        /** Fraction of GPU memory the engine may use. */
        public Builder gpuMemoryUtilization(double value) {
            this.gpuMemoryUtilization = value;
            return this;
        }

        /** Memory kept for activations and graphs. */
        public Builder activationReserveBytes(long value) {
            this.activationReserveBytes = value;
            return this;
        }

        /** P/D link bandwidth. */
        public Builder kvLinkBytesPerSecond(long value) {
            this.kvLinkBytesPerSecond = value;
            return this;
        }

        /** P/D transfer setup cost. */
        public Builder kvTransferSetup(Duration value) {
            this.kvTransferSetup = value;
            return this;
        }

        /** Prefill-role pickup timeout. */
        public Builder kvPickupTimeout(Duration value) {
            this.kvPickupTimeout = value;
            return this;
        }

        /** Validates and builds. */
        public EngineConfig build() {
            int blocks;
            if (numGpuBlocks != null) {
                blocks = numGpuBlocks;
            } else {
                blocks = profile.numGpuBlocks(gpuMemoryUtilization, activationReserveBytes, blockSize);
            }
            return new EngineConfig(role, blockSize, blocks, tokenBudget, maxNumSeqs, prefixCaching,
                    gpuMemoryUtilization, kvLinkBytesPerSecond, kvTransferSetup, kvPickupTimeout);
        }
    }
}
