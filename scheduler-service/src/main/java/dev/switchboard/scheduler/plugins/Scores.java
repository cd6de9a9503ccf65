package dev.switchboard.scheduler.plugins;

import java.util.List;
import java.util.function.ToDoubleFunction;

import dev.switchboard.scheduler.framework.EndpointView;

/** Shared score normalisations. */
public final class Scores {
    private Scores() {
    }

    /**
     * Min-max normalisation where a lower value is better: the lowest gets 1, the highest 0, and
     * all get 1 when they are equal (nothing to prefer).
     */
    public static double[] lowerIsBetter(List<EndpointView> candidates, ToDoubleFunction<EndpointView> value) {
        double[] values = new double[candidates.size()];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            values[i] = value.applyAsDouble(candidates.get(i));
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        double range = max - min;
        for (int i = 0; i < values.length; i++) {
            values[i] = range == 0 ? 1.0 : (max - values[i]) / range;
        }
        return values;
    }
}
