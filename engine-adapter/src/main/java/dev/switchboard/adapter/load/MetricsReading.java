package dev.switchboard.adapter.load;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import dev.switchboard.contract.metrics.MetricScrape;

/**
 * The {@link Signal}s found in one scrape, read through a {@link MetricsMapping}: for each signal the
 * first of its names present in the scrape, aggregated over label sets. A signal with none of its
 * names present is absent here (never zero).
 *
 * @param values  gauge and counter values; for histograms the {@code _sum}
 * @param counts  histogram {@code _count}s
 * @param sources the exposed name each signal was read from (to report deprecated names in use)
 */
public record MetricsReading(Map<Signal, Double> values, Map<Signal, Double> counts, Map<Signal, String> sources) {

    public MetricsReading {
        values = copy(values);
        counts = copy(counts);
        sources = copy(sources);
    }

    private static <V> Map<Signal, V> copy(Map<Signal, V> map) {
        Map<Signal, V> copy = new EnumMap<>(Signal.class);
        copy.putAll(map);
        return Collections.unmodifiableMap(copy);
    }

    /** Reads every signal of {@code mapping} from {@code scrape}. */
    public static MetricsReading read(MetricScrape scrape, MetricsMapping mapping) {
        Map<Signal, Double> values = new EnumMap<>(Signal.class);
        Map<Signal, Double> counts = new EnumMap<>(Signal.class);
        Map<Signal, String> sources = new EnumMap<>(Signal.class);
        for (Signal signal : Signal.values()) {
            for (String name : mapping.names(signal)) {
                if (signal.type() == Signal.Type.HISTOGRAM) {
                    if (scrape.has(name + "_sum") && scrape.has(name + "_count")) {
                        values.put(signal, scrape.sum(name + "_sum").orElseThrow());
                        counts.put(signal, scrape.sum(name + "_count").orElseThrow());
                        sources.put(signal, name);
                        break;
                    }
                } else {
                    var value = signal.aggregation() == Signal.Aggregation.MEAN ? scrape.mean(name) : scrape.sum(name);
                    if (value.isPresent()) {
                        values.put(signal, value.get());
                        sources.put(signal, name);
                        break;
                    }
                }
            }
        }
        return new MetricsReading(values, counts, sources);
    }

    public boolean has(Signal signal) {
        return values.containsKey(signal);
    }

    /** The value (histogram: sum); only call when {@link #has(Signal)}. */
    public double value(Signal signal) {
        return values.get(signal);
    }

    /** The histogram count; only call when {@link #has(Signal)}. */
    public double count(Signal signal) {
        return counts.getOrDefault(signal, 0.0);
    }
}
