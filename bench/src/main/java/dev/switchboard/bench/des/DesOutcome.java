package dev.switchboard.bench.des;

import java.util.List;
import java.util.Objects;

import org.HdrHistogram.Histogram;

import dev.switchboard.bench.report.RunReport;

/**
 * The result of one virtual-time replay: the report, and the per-request detail tests and charts use.
 *
 * @param report     the numbers, as every mode reports them
 * @param requests   every request, by workload index
 * @param ttftMicros TTFT distribution of successful requests (for CDF charts)
 * @param prefillLegs prefill legs run on prefill engines (disaggregated decisions)
 */
public record DesOutcome(RunReport report, List<RequestRecord> requests, Histogram ttftMicros, long prefillLegs) {
    public DesOutcome {
        Objects.requireNonNull(report, "report");
        requests = List.copyOf(requests);
        Objects.requireNonNull(ttftMicros, "ttftMicros");
    }

    /** Whether the run met its SLO (TTFT p90 and inter-token p90 within bounds). */
    public boolean sloMet() {
        return Boolean.TRUE.equals(report.sloMet());
    }

    /**
     * What happened to one request.
     *
     * @param index                 workload index
     * @param tenant                tenant
     * @param decodeEndpoint        engine that generated the answer, or {@code null} if never scheduled
     * @param prefillEndpoint       engine that ran the prefill leg of a disaggregated decision, or {@code null}
     * @param ttftNanos             arrival to first output token on the answering engine, -1 if none
     * @param e2eNanos              arrival to the last token (or to the failure), -1 if unfinished
     * @param outputTokens          tokens generated on the answering engine
     * @param promptTokens          prompt tokens
     * @param predictedCachedTokens prompt tokens the scheduler predicted cached where the prefill ran, -1 if unscheduled
     * @param cachedTokens          prompt tokens the prefilling engine found in its prefix cache, -1 if none ran
     * @param preemptions           times the answering engine preempted it
     * @param error                 failure category ({@code 503}, {@code 400}, {@code kv_capacity}, ...) or {@code null}
     */
    public record RequestRecord(int index, String tenant, String decodeEndpoint, String prefillEndpoint, long ttftNanos,
            long e2eNanos, int outputTokens, int promptTokens, int predictedCachedTokens, int cachedTokens, int preemptions,
            String error) {
    }
}
