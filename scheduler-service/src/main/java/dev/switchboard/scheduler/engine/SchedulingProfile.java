package dev.switchboard.scheduler.engine;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointFilter;
import dev.switchboard.scheduler.framework.EndpointPicker;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.ProfileRun;
import dev.switchboard.scheduler.framework.ScoredEndpoint;

/**
 * A named pipeline: filters in order (stopping when nothing is left), then every scorer (scores
 * clamped to [0, 1] and multiplied by their configured weight), then the picker.
 */
public record SchedulingProfile(String name, List<EndpointFilter> filters, List<WeightedScorer> scorers,
        EndpointPicker picker, List<String> scorerNames) {

    /** A scorer with the weight the policy gives it in this profile. */
    public record WeightedScorer(EndpointScorer scorer, double weight) {
    }

    /** @param scorerNames names of the scorers, in order (shared by every candidate's scores) */
    public SchedulingProfile {
        filters = List.copyOf(filters);
        scorers = List.copyOf(scorers);
        scorerNames = List.copyOf(scorerNames);
    }

    public SchedulingProfile(String name, List<EndpointFilter> filters, List<WeightedScorer> scorers, EndpointPicker picker) {
        this(name, filters, scorers, picker, scorers.stream().map(ws -> ws.scorer().name()).toList());
    }

    ProfileRun run(CycleContext context, CycleObserver observer) {
        List<EndpointView> candidates = context.snapshot().endpoints();
        for (EndpointFilter filter : filters) {
            long start = System.nanoTime();
            candidates = filter.filter(context, candidates);
            observer.record("filter", filter.type(), filter.name(), System.nanoTime() - start);
            if (candidates.isEmpty()) {
                return new ProfileRun(name, List.of(), null);
            }
        }
        double[] totals = new double[candidates.size()];
        double[][] breakdown = new double[candidates.size()][scorers.size()];
        for (int s = 0; s < scorers.size(); s++) {
            WeightedScorer ws = scorers.get(s);
            long start = System.nanoTime();
            double[] scores = ws.scorer().score(context, candidates);
            observer.record("scorer", ws.scorer().type(), ws.scorer().name(), System.nanoTime() - start);
            if (scores.length != candidates.size()) {
                throw new IllegalStateException("scorer " + ws.scorer().name() + " returned " + scores.length
                        + " scores for " + candidates.size() + " candidates");
            }
            for (int i = 0; i < scores.length; i++) {
                double score = scores[i];
                // clamp to [0, 1]; NaN fails "> 0" and counts 0
                double clamped = score > 0 ? (score < 1 ? score : 1) : 0;
                totals[i] += clamped * ws.weight();
                breakdown[i][s] = clamped;
            }
        }
        List<ScoredEndpoint> scored = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            scored.add(new ScoredEndpoint(candidates.get(i), totals[i], scorerNames, breakdown[i]));
        }
        long start = System.nanoTime();
        ScoredEndpoint picked = picker.pick(context, scored);
        observer.record("picker", picker.type(), picker.name(), System.nanoTime() - start);
        return new ProfileRun(name, scored, picked);
    }
}
