package dev.switchboard.scheduler.plugins.ttftscorer;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ScorerCategory;

/**
 * Prefers the endpoint predicted to produce the first token soonest, with a cost model:
 * {@code ttft = (prefill backlog + this request's uncached tokens) / prefill rate + one decode step}.
 * The backlog is the scheduler's fluid estimate of prefill work it already sent there, so both
 * load and cache are priced in the same unit (seconds). Score = fastest ttft / this ttft.
 */
public record PredictedTtftScorer(String name, Params params) implements EndpointScorer {
    public static final String TYPE = "predicted-ttft-scorer";

    /**
     * @param prefillTokensPerSecond engine prefill throughput (default 30000, an 8B model on an H100)
     * @param decodeStepMillis       time of one decode step (default 8)
     */
    public record Params(Double prefillTokensPerSecond, Double decodeStepMillis) {
        public Params {
            prefillTokensPerSecond = prefillTokensPerSecond == null ? 30_000.0 : prefillTokensPerSecond;
            decodeStepMillis = decodeStepMillis == null ? 8.0 : decodeStepMillis;
            if (!(prefillTokensPerSecond > 0)) {
                throw new IllegalArgumentException("prefillTokensPerSecond must be > 0, but was " + prefillTokensPerSecond);
            }
            if (!(decodeStepMillis >= 0)) {
                throw new IllegalArgumentException("decodeStepMillis must be >= 0, but was " + decodeStepMillis);
            }
        }
    }

    /** Predicted time to first token in milliseconds on {@code endpoint}. */
    public double predictMillis(CycleContext context, EndpointView endpoint) {
        double tokens = endpoint.prefillBacklogTokens() + context.uncachedTokens(endpoint);
        return tokens / params.prefillTokensPerSecond() * 1000 + params.decodeStepMillis();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.LATENCY;
    }

    @Override
    public double[] score(CycleContext context, List<EndpointView> candidates) {
        double[] predicted = new double[candidates.size()];
        double fastest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < predicted.length; i++) {
            predicted[i] = predictMillis(context, candidates.get(i));
            fastest = Math.min(fastest, predicted[i]);
        }
        for (int i = 0; i < predicted.length; i++) {
            predicted[i] = predicted[i] <= 0 ? 1 : fastest / predicted[i];
        }
        return predicted;
    }
}
