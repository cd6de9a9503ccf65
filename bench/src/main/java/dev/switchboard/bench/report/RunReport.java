package dev.switchboard.bench.report;

import java.util.Map;

/**
 * One policy at one load point: the unit of the bench's JSON ({@code runs[]}) and summary table.
 * Latencies and rates are in trace time (wall time multiplied by the run's speed factor). Fields a
 * mode cannot measure are {@code null} (live mode cannot predict prefix hits, for instance).
 *
 * @param mode               {@code live}, {@code des}, ...
 * @param target             URL or cluster spec the run was against
 * @param model              model requested
 * @param workload           workload name
 * @param policy             scheduling policy, or {@code null} if unknown (live against a URL)
 * @param admission          admission mode, or {@code null} if unknown
 * @param rateScale          arrival-rate multiplier applied to the workload
 * @param speed              time compression of the run (1 = real time)
 * @param requests           requests sent
 * @param failed             requests that failed (see {@code errors})
 * @param notSent            requests not sent because the run's duration ran out
 * @param errors             failures by category: HTTP status ({@code "429"}), {@code timeout},
 *                           {@code connect}, {@code io}, {@code stream_error}, {@code incomplete_stream},
 *                           {@code not_sse}
 * @param durationS          from the first send to the last completion
 * @param ttftMs             time to first token of successful requests
 * @param itlMs              gaps between content chunks of successful requests
 * @param e2eMs              end-to-end latency of successful requests
 * @param sendLagMs          how late requests were sent, in wall time whatever the speed (client saturation
 *                           shows here)
 * @param outputTokens       output tokens of successful requests (from {@code usage})
 * @param outputTokensPerS   output tokens per second
 * @param requestsPerS       successful requests per second
 * @param goodputRps         requests per second that met the SLO
 * @param slo                the SLO used for goodput
 * @param prefixHitPredicted share of prompt tokens the scheduler predicted cached, or {@code null}
 * @param prefixHitActual    share of prompt tokens the engines reported cached, or {@code null}
 * @param fairnessIndex      Jain's index over weighted token service among backlogged tenants, or {@code null}
 * @param perTenant          the same latencies per tenant
 * @param sloMet             whether the run as a whole met the SLO: TTFT p90 (failures counting as misses) and
 *                           inter-token p90 within the bounds ({@code capacity}'s criterion)
 * @param simulation         virtual-time details ({@code des}, {@code capacity}), {@code null} otherwise
 */
public record RunReport(String mode, String target, String model, String workload, String policy, String admission,
        double rateScale, double speed, long requests, long failed, long notSent, Map<String, Long> errors,
        double durationS, LatencySummary ttftMs, LatencySummary itlMs, LatencySummary e2eMs, LatencySummary sendLagMs,
        long outputTokens, double outputTokensPerS, double requestsPerS, double goodputRps, Slo slo,
        Double prefixHitPredicted, Double prefixHitActual, Double fairnessIndex, Map<String, TenantReport> perTenant,
        Boolean sloMet, Simulation simulation) {

    public RunReport {
        errors = Map.copyOf(errors);
        perTenant = Map.copyOf(perTenant);
    }

    /**
     * The objective goodput counts against.
     *
     * @param ttftMs most time to first token
     * @param itlMs  most mean inter-token latency of a request
     */
    public record Slo(double ttftMs, double itlMs) {
    }

    /** This report with another policy label. */
    public RunReport withPolicy(String newPolicy) {
        return new RunReport(mode, target, model, workload, newPolicy, admission, rateScale, speed, requests, failed, notSent,
                errors, durationS, ttftMs, itlMs, e2eMs, sendLagMs, outputTokens, outputTokensPerS, requestsPerS, goodputRps,
                slo, prefixHitPredicted, prefixHitActual, fairnessIndex, perTenant, sloMet, simulation);
    }

    /** This report relabelled as mode {@code newMode} at rate scale {@code newRateScale} (e.g. live runs inside {@code overhead}). */
    public RunReport withMode(String newMode, double newRateScale) {
        return new RunReport(newMode, target, model, workload, policy, admission, newRateScale, speed, requests, failed, notSent,
                errors, durationS, ttftMs, itlMs, e2eMs, sendLagMs, outputTokens, outputTokensPerS, requestsPerS, goodputRps,
                slo, prefixHitPredicted, prefixHitActual, fairnessIndex, perTenant, sloMet, simulation);
    }

    /**
     * What a virtual-time replay did besides serving requests.
     *
     * @param engines                engines simulated
     * @param wallS                  wall-clock seconds the replay took (preparing prompts excluded)
     * @param virtualS               virtual seconds from the first arrival to the last event
     * @param steps                  engine steps run (all engines)
     * @param preemptions            KV-cache preemptions (all engines)
     * @param decisionsUnified       requests the scheduler sent to one engine
     * @param decisionsDisaggregated requests it split into a prefill leg and a decode leg
     * @param kvEvents               whether the engines' KV events fed the scheduler's prefix index
     * @param aborted                the replay stopped early because the TTFT SLO could no longer be met
     *                               (capacity search); latencies then cover only the requests that finished
     */
    public record Simulation(int engines, double wallS, double virtualS, long steps, long preemptions,
            long decisionsUnified, long decisionsDisaggregated, boolean kvEvents, boolean aborted) {
    }
}
