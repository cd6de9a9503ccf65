package dev.switchboard.scheduler.datalayer;

import static dev.switchboard.scheduler.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.switchboard.scheduler.framework.ClusterSnapshot;

class LeaseRegistryTest {
    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MutableClock clock = new MutableClock();
    private final LeaseRegistry leases = new LeaseRegistry(clock, Duration.ofMinutes(10));

    @Test
    void openLeasesCountAsOutstandingUntilClosed() {
        var a = leases.open("r1", "d1");
        leases.open("r2", "d1");
        leases.open("r3", "d2");
        assertThat(leases.outstanding("d1")).isEqualTo(2);
        assertThat(leases.outstanding("d2")).isEqualTo(1);

        assertThat(leases.close(a.leaseId())).isEqualTo(a);
        assertThat(leases.outstanding("d1")).isEqualTo(1);
        assertThat(leases.close(a.leaseId())).as("closing twice").isNull();
        assertThat(leases.outstanding("d1")).isEqualTo(1);
    }

    @Test
    void leasesNeverCompletedExpireAfterTheTimeout() {
        leases.open("old", "d1");
        clock.advance(Duration.ofMinutes(6));
        leases.open("young", "d1");
        clock.advance(Duration.ofMinutes(5));

        assertThat(leases.expire()).isEqualTo(1);
        assertThat(leases.outstanding("d1")).isEqualTo(1);
        assertThat(leases.openLeases()).isEqualTo(1);
    }

    @Test
    void overlayPutsOutstandingCountsOnTheSnapshot() {
        leases.open("r1", "d2");
        ClusterSnapshot snapshot = new ClusterSnapshot(3, List.of(endpoint("d1").build(), endpoint("d2").build()));
        ClusterSnapshot overlaid = leases.overlay(snapshot);
        assertThat(overlaid.version()).isEqualTo(3);
        assertThat(overlaid.byId().get("d1").outstanding()).isZero();
        assertThat(overlaid.byId().get("d2").outstanding()).isEqualTo(1);
    }
}
