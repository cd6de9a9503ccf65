package dev.switchboard.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.switchboard.bench.capacity.CapacitySearch;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON document every bench command writes with {@code --json FILE}: a top-level {@code runs}
 * list and, for {@code capacity}, a {@code capacity} map (policy to highest rate scale meeting the
 * SLO) with the search behind each answer in {@code capacity_search}; {@code overhead} adds the
 * added-latency comparison. Field names are snake case; maps (tenants, error categories) are sorted
 * for stable diffs.
 *
 * @param runs           one entry per policy and load point (per path and rate for {@code overhead})
 * @param capacity       policy to capacity, or {@code null} for commands that do not search for it
 * @param capacitySearch policy to its search (bracket, every probe), or {@code null}
 * @param overhead       per path and rate, the latency added over the direct path, or {@code null}
 */
public record BenchReport(List<RunReport> runs, Map<String, Double> capacity,
        Map<String, CapacitySearch.Result> capacitySearch, List<OverheadPoint> overhead) {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    public BenchReport {
        runs = List.copyOf(runs);
    }

    /** A report of runs (and capacities) only. */
    public BenchReport(List<RunReport> runs, Map<String, Double> capacity) {
        this(runs, capacity, null, null);
    }

    /** Reads a report written by {@link #write}. */
    public static BenchReport read(Path file) {
        try {
            return JSON.readValue(Files.readString(file), BenchReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The mapper used for reports (also for reading them back in tests). */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /** Writes this report to {@code file}, creating parent directories. */
    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, JSON.writeValueAsString(this) + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
