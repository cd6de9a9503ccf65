package dev.switchboard.scheduler.plugins;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

import dev.switchboard.scheduler.framework.EndpointView;

/** Shared filtering for filter plugins. */
public final class Filters {
    private Filters() {
    }

    /**
     * The candidates that pass {@code keep}, in order. When all pass (the usual case) this is
     * {@code candidates} itself, so a filter that removes nothing copies nothing.
     */
    public static List<EndpointView> keep(List<EndpointView> candidates, Predicate<EndpointView> keep) {
        List<EndpointView> out = null;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            EndpointView e = candidates.get(i);
            boolean passes = keep.test(e);
            if (out != null) {
                if (passes) {
                    out.add(e);
                }
            } else if (!passes) {
                out = new ArrayList<>(n);
                out.addAll(candidates.subList(0, i));
            }
        }
        return out == null ? candidates : Collections.unmodifiableList(out);
    }
}
