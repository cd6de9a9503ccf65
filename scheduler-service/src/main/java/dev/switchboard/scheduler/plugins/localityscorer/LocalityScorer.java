package dev.switchboard.scheduler.plugins.localityscorer;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ScorerCategory;

/**
 * For the prefill side of a disaggregated decision: prefers prefill endpoints close to the chosen
 * decode endpoint (KV moves faster within a node than within a zone than across zones). Scores 1
 * on the same node, {@code sameZone} in the same zone, 0 otherwise, and 0 for everyone outside a
 * prefill stage.
 */
public record LocalityScorer(String name, Params params) implements EndpointScorer {
    public static final String TYPE = "locality-scorer";

    /** @param sameZone score for a different node in the same zone (default 0.5) */
    public record Params(Double sameZone) {
        public Params {
            sameZone = sameZone == null ? 0.5 : sameZone;
            if (!(sameZone >= 0 && sameZone <= 1)) {
                throw new IllegalArgumentException("sameZone must be in [0, 1], but was " + sameZone);
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
        EndpointView decode = context.pairedDecode();
        double[] scores = new double[candidates.size()];
        if (decode == null) {
            return scores;
        }
        String node = decode.descriptor().node();
        String zone = decode.descriptor().zone();
        for (int i = 0; i < scores.length; i++) {
            EndpointView e = candidates.get(i);
            if (!node.isEmpty() && node.equals(e.descriptor().node())) {
                scores[i] = 1;
            } else if (!zone.isEmpty() && zone.equals(e.descriptor().zone())) {
                scores[i] = params.sameZone();
            }
        }
        return scores;
    }
}
