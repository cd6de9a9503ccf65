package dev.switchboard.scheduler.engine;

import dev.switchboard.scheduler.framework.Plugin;

/** Lets a plugin factory use another configured plugin instance (e.g. a profile handler its decider). */
@FunctionalInterface
public interface PluginLookup {
    /**
     * @throws PolicyException if no plugin {@code name} exists or it is not a {@code type}
     */
    <T extends Plugin> T find(String name, Class<T> type);
}
