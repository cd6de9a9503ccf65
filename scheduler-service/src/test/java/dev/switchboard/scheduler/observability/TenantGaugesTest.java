package dev.switchboard.scheduler.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.switchboard.scheduler.MutableClock;
import dev.switchboard.scheduler.admission.AdmissionController.TenantQueue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class TenantGaugesTest {
    private final MutableClock clock = new MutableClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicInteger snapshots = new AtomicInteger();
    private final AtomicReference<List<TenantQueue>> state = new AtomicReference<>(List.of());
    private final TenantGauges gauges = new TenantGauges(meters, clock, () -> {
        snapshots.incrementAndGet();
        return state.get();
    });

    private static TenantQueue queue(String tenant, int queued, long oldestWaitMillis, long quota, long available) {
        return new TenantQueue(tenant, 1, 0, queued, oldestWaitMillis, 7.5, quota, available);
    }

    /** Reads every registered gauge, as a Prometheus scrape does. */
    private void scrape() {
        meters.getMeters().forEach(m -> ((Gauge) m).value());
    }

    private double value(String name, String tenant) {
        return meters.get(name).tag("tenant", tenant).gauge().value();
    }

    @Test
    void aScrapeTakesOneSnapshotWhateverTheNumberOfTenants() {
        state.set(List.of(queue("a", 3, 2500, 1000, 250), queue("b", 0, 0, 0, 0)));
        for (int t = 0; t < 50; t++) {
            gauges.register(t < 2 ? String.valueOf((char) ('a' + t)) : "t" + t);
        }
        assertThat(meters.getMeters()).hasSize(200);

        scrape();
        assertThat(snapshots).hasValue(1);
        assertThat(value("switchboard_scheduler_tenant_queued", "a")).isEqualTo(3);
        assertThat(value("switchboard_scheduler_tenant_oldest_wait_seconds", "a")).isEqualTo(2.5);
        assertThat(value("switchboard_scheduler_tenant_virtual_tokens", "a")).isEqualTo(7.5);
        assertThat(value("switchboard_scheduler_tenant_quota_used_ratio", "a")).isEqualTo(0.75);
        assertThat(value("switchboard_scheduler_tenant_quota_used_ratio", "b")).as("no quota").isZero();
        assertThat(value("switchboard_scheduler_tenant_queued", "t7")).as("not in the state").isZero();
        assertThat(snapshots).as("still the same snapshot").hasValue(1);
    }

    @Test
    void theNextScrapeSeesTheNewState() {
        state.set(List.of(queue("a", 3, 0, 0, 0)));
        gauges.register("a");
        gauges.register("a");
        assertThat(meters.getMeters()).hasSize(4);
        scrape();

        state.set(List.of(queue("a", 5, 0, 0, 0)));
        clock.advance(TenantGauges.SNAPSHOT_VALIDITY.minusMillis(1));
        assertThat(value("switchboard_scheduler_tenant_queued", "a")).as("within one scrape").isEqualTo(3);
        clock.advance(Duration.ofMillis(1));
        assertThat(value("switchboard_scheduler_tenant_queued", "a")).isEqualTo(5);
        assertThat(snapshots).hasValue(2);

        state.set(List.of());
        clock.advance(Duration.ofSeconds(15));
        assertThat(value("switchboard_scheduler_tenant_queued", "a")).as("the tenant left").isZero();
    }
}
