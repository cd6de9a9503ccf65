package dev.switchboard.adapter.load;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The fields of a {@code LoadReport} that come from engine metrics, each with the signal combinations
 * that can produce it (any one complete combination suffices). Required fields make a report
 * impossible when missing: a report claiming zero running requests because the metric was renamed
 * would steer the whole fleet's traffic onto one engine.
 */
public enum LoadField {
    RUNNING("running", true, List.of(List.of(Signal.RUNNING))),
    WAITING("waiting", true, List.of(List.of(Signal.WAITING))),
    KV_USAGE("kv_usage", true, List.of(List.of(Signal.KV_USAGE))),
    PREFIX_HIT_RATE("prefix_hit_rate", false,
            List.of(List.of(Signal.PREFIX_HITS, Signal.PREFIX_QUERIES), List.of(Signal.HIT_RATE))),
    TTFT("recent_ttft", false, List.of(List.of(Signal.TTFT))),
    ITL("recent_itl", false, List.of(List.of(Signal.ITL))),
    TOKENS_PER_SECOND("tokens_per_second", false,
            List.of(List.of(Signal.GENERATION_TOKENS), List.of(Signal.THROUGHPUT)));

    private final String wireName;
    private final boolean required;
    private final List<List<Signal>> alternatives;

    LoadField(String wireName, boolean required, List<List<Signal>> alternatives) {
        this.wireName = wireName;
        this.required = required;
        this.alternatives = alternatives;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether a load report cannot be built without this field. */
    public boolean required() {
        return required;
    }

    /** Whether {@code reading} holds a complete combination for this field. */
    public boolean availableIn(MetricsReading reading) {
        return alternatives.stream().anyMatch(combo -> combo.stream().allMatch(reading::has));
    }

    /** Every exposed name that could have produced this field under {@code mapping}. */
    public List<String> candidateNames(MetricsMapping mapping) {
        Set<String> names = new LinkedHashSet<>();
        for (List<Signal> combo : alternatives) {
            for (Signal s : combo) {
                names.addAll(mapping.names(s));
            }
        }
        return new ArrayList<>(names);
    }
}
