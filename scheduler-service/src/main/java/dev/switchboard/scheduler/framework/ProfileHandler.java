package dev.switchboard.scheduler.framework;

/**
 * Decides which profiles run for a request and turns their results into a {@link Selection}:
 * one profile for unified serving, or decode then (optionally) prefill for disaggregated serving.
 */
public interface ProfileHandler extends Plugin {
    Selection select(CycleContext context, ProfileRunner profiles);

    /** Names of the profiles this handler runs (checked against the policy when it is loaded). */
    java.util.Set<String> profilesUsed();
}
