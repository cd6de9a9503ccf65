package dev.switchboard.scheduler.engine;

/** Receives the time every extension point and plugin takes (metrics live outside the engine). */
@FunctionalInterface
public interface CycleObserver {
    CycleObserver NONE = (extensionPoint, pluginType, pluginName, nanos) -> { };

    void record(String extensionPoint, String pluginType, String pluginName, long nanos);
}
