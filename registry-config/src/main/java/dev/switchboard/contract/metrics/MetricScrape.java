package dev.switchboard.contract.metrics;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The samples of one {@code /metrics} scrape, by sample name, with the declared metric types.
 * Aggregations over label sets (engines label every series with {@code model_name} and, for data
 * parallelism, {@code engine} or {@code dp_rank}) are explicit: {@link #sum(String)} or {@link #mean(String)}.
 */
public final class MetricScrape {
    private final Map<String, List<PrometheusText.Sample>> samples;
    private final Map<String, String> types;

    MetricScrape(Map<String, List<PrometheusText.Sample>> samples, Map<String, String> types) {
        this.samples = Map.copyOf(samples);
        this.types = Map.copyOf(types);
    }

    /** Whether at least one sample has this exact name. */
    public boolean has(String name) {
        return samples.containsKey(name);
    }

    /** Every sample with this exact name (empty if none). */
    public List<PrometheusText.Sample> samples(String name) {
        return samples.getOrDefault(name, List.of());
    }

    /** Sum over all label sets, or empty if the name is absent. NaN samples are skipped. */
    public Optional<Double> sum(String name) {
        List<PrometheusText.Sample> list = samples.get(name);
        if (list == null) {
            return Optional.empty();
        }
        double sum = 0;
        for (PrometheusText.Sample s : list) {
            if (!Double.isNaN(s.value())) {
                sum += s.value();
            }
        }
        return Optional.of(sum);
    }

    /** Mean over all label sets, or empty if the name is absent or every sample is NaN. */
    public Optional<Double> mean(String name) {
        List<PrometheusText.Sample> list = samples.get(name);
        if (list == null) {
            return Optional.empty();
        }
        double sum = 0;
        int n = 0;
        for (PrometheusText.Sample s : list) {
            if (!Double.isNaN(s.value())) {
                sum += s.value();
                n++;
            }
        }
        return n == 0 ? Optional.empty() : Optional.of(sum / n);
    }

    /** The {@code # TYPE} declared for a metric family, if any. */
    public Optional<String> type(String family) {
        return Optional.ofNullable(types.get(family));
    }

    /** Number of distinct sample names kept. */
    public int size() {
        return samples.size();
    }
}
