package dev.switchboard.bench.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * An ordered list of requests with arrival times, and the transformations every bench command
 * applies to it (rate scaling, time windows, truncation, tenant assignment). Immutable: each
 * transformation returns a new workload.
 *
 * @param name     where it came from (trace file name or generator), for reports
 * @param requests requests by arrival time (stably sorted on construction)
 */
public record Workload(String name, List<TraceRequest> requests) {
    public Workload {
        Objects.requireNonNull(name, "name");
        List<TraceRequest> sorted = new ArrayList<>(requests);
        sorted.sort(Comparator.comparingLong(TraceRequest::arrivalNanos));
        requests = List.copyOf(sorted);
    }

    /** Number of requests. */
    public int size() {
        return requests.size();
    }

    /** Time from the start to the last arrival. */
    public Duration span() {
        return requests.isEmpty() ? Duration.ZERO : Duration.ofNanos(requests.get(requests.size() - 1).arrivalNanos());
    }

    /** Mean arrival rate in requests per second over {@link #span()} (0 for fewer than two requests). */
    public double meanRatePerSecond() {
        long nanos = span().toNanos();
        return requests.size() < 2 || nanos == 0 ? 0 : (requests.size() - 1) * 1e9 / nanos;
    }

    /**
     * Multiplies the request rate by {@code factor}: every arrival time is divided by it (2 sends the
     * same requests in half the time).
     */
    public Workload scaleRate(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("rate scale must be a positive finite number, but was " + factor);
        }
        if (factor == 1.0) {
            return this;
        }
        List<TraceRequest> out = new ArrayList<>(requests.size());
        for (TraceRequest r : requests) {
            out.add(r.withArrivalNanos(Math.round(r.arrivalNanos() / factor)));
        }
        return new Workload(name, out);
    }

    /**
     * The requests arriving in {@code [start, start + length)}, re-based so that {@code start} becomes
     * time 0. A {@code null} length means "to the end".
     */
    public Workload window(Duration start, Duration length) {
        Objects.requireNonNull(start, "start");
        if (start.isNegative()) {
            throw new IllegalArgumentException("window start must be >= 0, but was " + start);
        }
        if (length != null && (length.isNegative() || length.isZero())) {
            throw new IllegalArgumentException("window length must be > 0, but was " + length);
        }
        long from = start.toNanos();
        long to = length == null ? Long.MAX_VALUE : Math.addExact(from, length.toNanos());
        List<TraceRequest> out = new ArrayList<>();
        for (TraceRequest r : requests) {
            if (r.arrivalNanos() >= from && r.arrivalNanos() < to) {
                out.add(r.withArrivalNanos(r.arrivalNanos() - from));
            }
        }
        return new Workload(name, out);
    }

    /** The first {@code max} requests. */
    public Workload limit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max requests must be >= 1, but was " + max);
        }
        return max >= requests.size() ? this : new Workload(name, requests.subList(0, max));
    }

    /** Every request re-assigned to a tenant by {@code assignment}. */
    public Workload withTenants(TenantAssignment assignment) {
        return new Workload(name, assignment.apply(requests));
    }

    /** Sum of input tokens. */
    public long inputTokens() {
        return requests.stream().mapToLong(TraceRequest::inputTokens).sum();
    }

    /** Sum of output tokens. */
    public long outputTokens() {
        return requests.stream().mapToLong(TraceRequest::outputTokens).sum();
    }
}
