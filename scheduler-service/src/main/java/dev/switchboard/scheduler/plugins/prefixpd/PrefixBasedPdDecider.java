package dev.switchboard.scheduler.plugins.prefixpd;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.PdDecider;

/**
 * Disaggregates when the decode endpoint would have to prefill at least {@code nonCachedTokens}
 * tokens itself: short or mostly cached prompts are cheaper to prefill in place than to move.
 */
public record PrefixBasedPdDecider(String name, Params params) implements PdDecider {
    public static final String TYPE = "prefix-based-pd-decider";

    /** @param nonCachedTokens uncached prompt tokens at or above which prefill moves (default 512) */
    public record Params(Integer nonCachedTokens) {
        public Params {
            nonCachedTokens = nonCachedTokens == null ? 512 : nonCachedTokens;
            if (nonCachedTokens < 0) {
                throw new IllegalArgumentException("nonCachedTokens must be >= 0, but was " + nonCachedTokens);
            }
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean disaggregate(CycleContext context, EndpointView decodePick) {
        return context.uncachedTokens(decodePick) >= params.nonCachedTokens();
    }
}
