package dev.switchboard.scheduler.framework;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of running one scheduling profile (filters, scorers, picker).
 *
 * @param profile the profile's name
 * @param scored  every candidate that passed the filters, with scores
 * @param picked  the chosen candidate, or {@code null} if none passed the filters
 */
public record ProfileRun(String profile, List<ScoredEndpoint> scored, ScoredEndpoint picked) {
    public ProfileRun {
        Objects.requireNonNull(profile, "profile");
        scored = List.copyOf(scored);
    }
}
