package dev.switchboard.scheduler.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class MicrometerCycleObserverTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MicrometerCycleObserver observer = new MicrometerCycleObserver(meters);

    @Test
    void oneTimerPerExtensionPointAndPlugin() {
        observer.record("filter", "model-filter", "model", 1_000);
        observer.record("filter", "model-filter", "model", 3_000);
        // equal names from other string instances are the same plugin
        observer.record(new String("filter"), new String("model-filter"), new String("model"), 2_000);
        observer.record("scorer", "prefix-cache-scorer", "prefix", 5_000);
        observer.record("filter", "model-filter", "other-model", 7_000);

        assertThat(meters.find("switchboard_scheduler_plugin_seconds").timers()).hasSize(3);
        Timer model = timer("filter", "model-filter", "model");
        assertThat(model.count()).isEqualTo(3);
        assertThat(model.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(6_000);
        assertThat(timer("scorer", "prefix-cache-scorer", "prefix").count()).isEqualTo(1);
        assertThat(timer("filter", "model-filter", "other-model").totalTime(TimeUnit.NANOSECONDS)).isEqualTo(7_000);
    }

    private Timer timer(String extensionPoint, String type, String name) {
        return meters.get("switchboard_scheduler_plugin_seconds").tag("extension_point", extensionPoint)
                .tag("plugin_type", type).tag("plugin_name", name).timer();
    }
}
