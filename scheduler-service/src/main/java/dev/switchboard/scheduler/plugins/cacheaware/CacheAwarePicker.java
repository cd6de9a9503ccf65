package dev.switchboard.scheduler.plugins.cacheaware;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointPicker;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ScoredEndpoint;

/**
 * A fresh implementation of the SGLang router's documented cache-aware policy, as a baseline:
 * <ol>
 *   <li>if the load is imbalanced (max - min outstanding > {@code balanceAbsThreshold} and
 *       max > {@code balanceRelThreshold} x min), route to the least loaded endpoint;</li>
 *   <li>else, if the best prefix match covers more than {@code cacheThreshold} of the prompt, route to
 *       the endpoint with the longest match;</li>
 *   <li>else route to the endpoint with the most free cache (lowest KV usage; SGLang: smallest tree).</li>
 * </ol>
 * Scores from the profile's scorers are ignored: this picker is the whole policy.
 */
public record CacheAwarePicker(String name, Params params) implements EndpointPicker {
    public static final String TYPE = "cache-aware-picker";

    /**
     * @param cacheThreshold      prefix match ratio above which cache affinity wins (default 0.5)
     * @param balanceAbsThreshold outstanding-request gap that counts as imbalance (default 32)
     * @param balanceRelThreshold ratio of max to min load that counts as imbalance (default 1.0001)
     */
    public record Params(Double cacheThreshold, Integer balanceAbsThreshold, Double balanceRelThreshold) {
        public Params {
            cacheThreshold = cacheThreshold == null ? 0.5 : cacheThreshold;
            balanceAbsThreshold = balanceAbsThreshold == null ? 32 : balanceAbsThreshold;
            balanceRelThreshold = balanceRelThreshold == null ? 1.0001 : balanceRelThreshold;
            if (!(cacheThreshold >= 0 && cacheThreshold <= 1)) {
                throw new IllegalArgumentException("cacheThreshold must be in [0, 1], but was " + cacheThreshold);
            }
            if (balanceAbsThreshold < 0) {
                throw new IllegalArgumentException("balanceAbsThreshold must be >= 0, but was " + balanceAbsThreshold);
            }
            if (!(balanceRelThreshold >= 1)) {
                throw new IllegalArgumentException("balanceRelThreshold must be >= 1, but was " + balanceRelThreshold);
            }
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScoredEndpoint pick(CycleContext context, List<ScoredEndpoint> scored) {
        ScoredEndpoint leastLoaded = scored.get(0);
        ScoredEndpoint mostLoaded = scored.get(0);
        ScoredEndpoint bestMatch = scored.get(0);
        ScoredEndpoint mostFree = scored.get(0);
        for (ScoredEndpoint s : scored) {
            EndpointView e = s.endpoint();
            if (e.outstanding() < leastLoaded.endpoint().outstanding()) {
                leastLoaded = s;
            }
            if (e.outstanding() > mostLoaded.endpoint().outstanding()) {
                mostLoaded = s;
            }
            if (context.cachedTokens(e) > context.cachedTokens(bestMatch.endpoint())) {
                bestMatch = s;
            }
            if (e.kvUsage() < mostFree.endpoint().kvUsage()
                    || (e.kvUsage() == mostFree.endpoint().kvUsage() && e.outstanding() < mostFree.endpoint().outstanding())) {
                mostFree = s;
            }
        }
        int max = mostLoaded.endpoint().outstanding();
        int min = leastLoaded.endpoint().outstanding();
        if (max - min > params.balanceAbsThreshold() && max > params.balanceRelThreshold() * min) {
            return leastLoaded;
        }
        int prompt = context.request().promptTokens();
        double matchRate = prompt == 0 ? 0 : (double) context.cachedTokens(bestMatch.endpoint()) / prompt;
        return matchRate > params.cacheThreshold() ? bestMatch : mostFree;
    }
}
