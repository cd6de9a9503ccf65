package dev.switchboard.adapter.discovery;

import java.util.Optional;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;

/**
 * Merges configuration, what the engine reported and the node's GPU facts into the descriptor that is
 * published. An explicitly configured value always wins (the operator knows, for example, that an engine
 * uses 2 of the node's 8 GPUs); a value left open (0 or blank) is taken from the engine or
 * {@code nvidia-smi}; what nobody knows takes the contract's defaults.
 */
public final class DescriptorResolver {
    private DescriptorResolver() {
    }

    public static EngineDescriptor resolve(AdapterProperties.Engine config, EngineKind kind, EngineFacts facts,
            Optional<GpuFacts> gpu) {
        int blockSize = config.kvBlockSize() > 0 ? config.kvBlockSize()
                : facts.kvBlockSize() > 0 ? facts.kvBlockSize() : EngineDescriptor.DEFAULT_KV_BLOCK_SIZE;
        long capacity = config.kvCapacityTokens() > 0 ? config.kvCapacityTokens() : Math.max(0, facts.kvCapacityTokens());
        int modelLen = config.maxModelLen() > 0 ? config.maxModelLen() : Math.max(0, facts.maxModelLen());
        String gpuType = !config.gpuType().isBlank() ? config.gpuType()
                : gpu.map(GpuFacts::name).orElse(EngineDescriptor.UNKNOWN_GPU);
        int gpuCount = config.gpuCount() > 0 ? config.gpuCount() : gpu.map(GpuFacts::count).orElse(1);
        int gpuMemory = config.gpuMemoryGib() > 0 ? config.gpuMemoryGib() : gpu.map(GpuFacts::memoryGib).orElse(0);
        return config.descriptor(kind, blockSize, capacity, modelLen, gpuType, gpuCount, gpuMemory);
    }
}
