package dev.switchboard.scheduler.framework;

import java.util.Set;

/** Runs the policy's named profiles; given to {@link ProfileHandler}s by the engine. */
public interface ProfileRunner {
    /** Names of the profiles the policy defines. */
    Set<String> profiles();

    /** Runs profile {@code name} over every endpoint of the snapshot. */
    ProfileRun run(String name, CycleContext context);
}
