package dev.switchboard.bench.workload;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code key=value} overrides of a generator's parameters ({@code --param groups=10}), read with a
 * default each. {@link #finish()} rejects keys no generator parameter read, so a typo never passes
 * silently.
 */
public final class GeneratorParams {
    private final String workload;
    private final Map<String, String> values;
    private final Set<String> known = new LinkedHashSet<>();

    /**
     * @param workload name of the generator, for messages
     * @param values   the overrides (may be empty)
     */
    public GeneratorParams(String workload, Map<String, String> values) {
        this.workload = workload;
        this.values = new LinkedHashMap<>(values);
    }

    /** An integer parameter, at least {@code min}. */
    public int integer(String key, int defaultValue, int min) {
        String raw = raw(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < min) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(workload + " parameter " + key + " must be a whole number >= " + min
                    + ", but was '" + raw + "'");
        }
    }

    /** A positive finite number. */
    public double positive(String key, double defaultValue) {
        String raw = raw(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            double v = Double.parseDouble(raw.trim());
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(workload + " parameter " + key + " must be a positive number, but was '"
                    + raw + "'");
        }
    }

    /** A positive duration ({@link Durations#parse} syntax). */
    public Duration duration(String key, Duration defaultValue) {
        String raw = raw(key);
        if (raw == null) {
            return defaultValue;
        }
        Duration d;
        try {
            d = Durations.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(workload + " parameter " + key + ": " + e.getMessage());
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(workload + " parameter " + key + " must be > 0, but was '" + raw + "'");
        }
        return d;
    }

    /** Fails if a key was given that no parameter read. */
    public void finish() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown " + workload + " parameter(s) " + String.join(", ", unknown)
                    + "; known: " + String.join(", ", known));
        }
    }

    private String raw(String key) {
        known.add(key);
        return values.get(key);
    }
}
