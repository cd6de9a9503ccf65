package dev.switchboard.adapter.discovery;

/**
 * GPU facts of this node, as {@code nvidia-smi} reports them.
 *
 * @param name      product name, normalised for registry metadata (e.g. {@code H100-80GB-HBM3})
 * @param memoryGib memory of one GPU in GiB
 * @param count     GPUs visible to this process
 */
public record GpuFacts(String name, int memoryGib, int count) {
}
