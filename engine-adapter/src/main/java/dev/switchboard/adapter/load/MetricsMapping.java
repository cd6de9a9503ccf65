package dev.switchboard.adapter.load;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.switchboard.contract.EngineKind;

/**
 * Which exposed Prometheus names carry each {@link Signal} for one engine kind. Names are listed
 * preferred first: the current name, then deprecated or alternative spellings, so an engine of any
 * supported version is read correctly and a renamed metric is never mistaken for a zero.
 * Histogram entries are base names (the reader appends {@code _sum} and {@code _count}).
 */
public interface MetricsMapping {

    /** The engine kind this mapping reads. */
    EngineKind kind();

    /** Names that carry {@code signal}, preferred first; empty if this engine kind has none. */
    List<String> names(Signal signal);

    /** Every sample name this mapping may read (what the parser needs to keep). */
    default Set<String> sampleNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Signal signal : Signal.values()) {
            for (String name : names(signal)) {
                if (signal.type() == Signal.Type.HISTOGRAM) {
                    names.add(name + "_sum");
                    names.add(name + "_count");
                } else {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The mapping for an engine kind. */
    static MetricsMapping forKind(EngineKind kind) {
        return switch (kind) {
            case VLLM -> VllmMetricsMapping.INSTANCE;
            case SGLANG -> SglangMetricsMapping.INSTANCE;
        };
    }
}
