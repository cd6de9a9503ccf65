package dev.switchboard.scheduler.observability;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.switchboard.scheduler.engine.CycleObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * One timer per extension point and plugin ({@code switchboard_scheduler_plugin_seconds} with tags
 * {@code extension_point}, {@code plugin_type}, {@code plugin_name}); timers are cached so the hot
 * path does no registry lookups.
 */
public final class MicrometerCycleObserver implements CycleObserver {
    private final MeterRegistry meters;
    private final Map<PluginKey, Timer> timers = new ConcurrentHashMap<>();

    public MicrometerCycleObserver(MeterRegistry meters) {
        this.meters = meters;
    }

    /** The names are the plugins' own constant strings, whose hashes are cached: a lookup builds no string. */
    private record PluginKey(String extensionPoint, String pluginType, String pluginName) {
    }

    @Override
    public void record(String extensionPoint, String pluginType, String pluginName, long nanos) {
        PluginKey key = new PluginKey(extensionPoint, pluginType, pluginName);
        Timer timer = timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(key, k -> register(extensionPoint, pluginType, pluginName));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer register(String extensionPoint, String pluginType, String pluginName) {
        return Timer.builder("switchboard_scheduler_plugin_seconds")
                .description("Time spent in each scheduling extension point and plugin")
                .tag("extension_point", extensionPoint)
                .tag("plugin_type", pluginType)
                .tag("plugin_name", pluginName)
                // bounded buckets: plugins run in microseconds, a slow one in milliseconds
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(500))
                .maximumExpectedValue(Duration.ofMillis(10))
                .register(meters);
    }
}
