package dev.switchboard.scheduler.plugins.prefixscorer;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ScorerCategory;

/**
 * Scores the fraction of the prompt predicted to be cached on each endpoint ("sticky until
 * saturated"): a saturated endpoint scores 0 however much it has cached, so a prefix shared by
 * every request (a global system prompt) cannot pull all traffic onto one engine.
 *
 * <p>An endpoint is saturated when its engine queue holds at least {@code saturationWaiting}
 * requests or its KV usage is at least {@code saturationKvUsage}.
 *
 * <p>The score is cached tokens / max(prompt tokens, {@code minPromptTokens}): affinity is worth
 * what it saves, and a few cached tokens of a short prompt save no meaningful prefill work, so they
 * must not outweigh load.
 */
public record PrefixCacheScorer(String name, Params params) implements EndpointScorer {
    public static final String TYPE = "prefix-cache-scorer";

    /**
     * @param saturationWaiting engine waiting queue length at which cache affinity stops (default 3)
     * @param saturationKvUsage KV usage at which cache affinity stops (default 0.95)
     * @param minPromptTokens   prompt length below which affinity is scaled down (default 256)
     */
    public record Params(Integer saturationWaiting, Double saturationKvUsage, Integer minPromptTokens) {
        public Params {
            minPromptTokens = minPromptTokens == null ? 256 : minPromptTokens;
            if (minPromptTokens < 1) {
                throw new IllegalArgumentException("minPromptTokens must be >= 1, but was " + minPromptTokens);
            }
            saturationWaiting = saturationWaiting == null ? 3 : saturationWaiting;
            saturationKvUsage = saturationKvUsage == null ? 0.95 : saturationKvUsage;
            if (saturationWaiting < 1) {
                throw new IllegalArgumentException("saturationWaiting must be >= 1, but was " + saturationWaiting);
            }
            if (!(saturationKvUsage > 0 && saturationKvUsage <= 1)) {
                throw new IllegalArgumentException("saturationKvUsage must be in (0, 1], but was " + saturationKvUsage);
            }
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.AFFINITY;
    }

    @Override
    public double[] score(CycleContext context, List<EndpointView> candidates) {
        int prompt = Math.max(context.request().promptTokens(), params.minPromptTokens());
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < scores.length; i++) {
            EndpointView e = candidates.get(i);
            boolean saturated = e.waiting() >= params.saturationWaiting() || e.kvUsage() >= params.saturationKvUsage();
            scores[i] = saturated ? 0 : (double) context.cachedTokens(e) / prompt;
        }
        return scores;
    }
}
