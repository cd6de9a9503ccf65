package dev.switchboard.adapter.discovery;

import java.util.Optional;

/** Learns the node's GPU facts; empty when there is no GPU tooling (laptops, CI, simulated engines). */
@FunctionalInterface
public interface GpuProbe {
    Optional<GpuFacts> detect();

    /** A probe that finds nothing. */
    static GpuProbe none() {
        return Optional::empty;
    }
}
