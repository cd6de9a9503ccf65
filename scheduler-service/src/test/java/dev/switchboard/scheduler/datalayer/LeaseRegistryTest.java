package dev.switchboard.scheduler.datalayer;

import static dev.switchboard.scheduler.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.switchboard.scheduler.MutableClock;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

class LeaseRegistryTest {
    private final MutableClock clock = new MutableClock();
    // prefill at 10k tokens/s = 10 tokens per ms
    private final LeaseRegistry leases = new LeaseRegistry(clock, Duration.ofMinutes(10), 10_000);

    /** The endpoint as decisions see it: the lease state overlaid on a snapshot. */
    private EndpointView seen(String endpointId) {
        return leases.overlay(new ClusterSnapshot(1, List.of(endpoint(endpointId).build()))).endpoints().get(0);
    }

    @Test
    void openLeasesCountAsOutstandingUntilClosed() {
        var a = leases.open("r1", "t", "d1", null, 100, 0);
        leases.open("r2", "t", "d1", null, 100, 0);
        leases.open("r3", "u", "d2", null, 100, 0);
        assertThat(seen("d1").outstanding()).isEqualTo(2);
        assertThat(seen("d2").outstanding()).isEqualTo(1);
        assertThat(leases.openLeases()).isEqualTo(3);
        assertThat(a.tenant()).isEqualTo("t");

        assertThat(leases.close(a.leaseId())).isEqualTo(a);
        assertThat(seen("d1").outstanding()).isEqualTo(1);
        assertThat(leases.close(a.leaseId())).as("closing twice").isNull();
        assertThat(seen("d1").outstanding()).isEqualTo(1);
    }

    @Test
    void leasesNeverCompletedExpireAfterTheTimeout() {
        leases.open("old", "t", "d1", null, 1, 0);
        clock.advance(Duration.ofMinutes(6));
        leases.open("young", "t", "d1", null, 1, 0);
        clock.advance(Duration.ofMinutes(5));

        assertThat(leases.expire()).extracting(LeaseRegistry.Lease::requestId).containsExactly("old");
        assertThat(seen("d1").outstanding()).isEqualTo(1);
    }

    @Test
    void uncachedTokensJoinThePrefillSidesBacklogAndDrainAtThePrefillRate() {
        leases.open("r1", "t", "d1", null, 3000, 1000);      // 2000 uncached on d1
        leases.open("r2", "t", "d2", "p1", 5000, 0);         // disaggregated: 5000 on p1, none on d2
        assertThat(seen("d1").prefillBacklogTokens()).isEqualTo(2000);
        assertThat(seen("p1").prefillBacklogTokens()).isEqualTo(5000);
        assertThat(seen("d2").prefillBacklogTokens()).isZero();

        clock.advance(Duration.ofMillis(150));
        assertThat(seen("d1").prefillBacklogTokens()).isEqualTo(500);
        leases.open("r3", "t", "d1", null, 100, 0);
        assertThat(seen("d1").prefillBacklogTokens()).isEqualTo(600);
        clock.advance(Duration.ofSeconds(1));
        assertThat(seen("d1").prefillBacklogTokens()).isZero();
    }

    @Test
    void overlayPutsCountsAndBacklogOnTheSnapshot() {
        leases.open("r1", "t", "d2", null, 40, 0);
        ClusterSnapshot snapshot = new ClusterSnapshot(3, List.of(endpoint("d1").build(), endpoint("d2").build()));
        ClusterSnapshot overlaid = leases.overlay(snapshot);
        assertThat(overlaid.version()).isEqualTo(3);
        assertThat(overlaid.byId().get("d1").outstanding()).isZero();
        assertThat(overlaid.byId().get("d2").outstanding()).isEqualTo(1);
        assertThat(overlaid.byId().get("d2").prefillBacklogTokens()).isEqualTo(40);
    }

    @Test
    void aDecisionOnStaleCountsCannotOpenOnAnEndpointThatGotALeaseMeanwhile() {
        ClusterSnapshot snapshot = new ClusterSnapshot(1, List.of(endpoint("d1").build(), endpoint("d2").build()));
        LeaseRegistry.Overlay seen = leases.overlayVersioned(snapshot);
        leases.open("r1", "t", "d1", null, 10, 0);   // a concurrent decision

        assertThat(leases.openIfUnchanged(seen.version(), "r2", "t", "d1", null, 10, 0)).as("d1 got a lease").isNull();
        assertThat(leases.openIfUnchanged(seen.version(), "r3", "t", "d2", "d1", 10, 0)).as("as prefill side too").isNull();
        assertThat(leases.openIfUnchanged(seen.version(), "r4", "t", "d2", null, 10, 0)).as("d2 did not").isNotNull();
        assertThat(seen("d1").outstanding()).isEqualTo(1);
        assertThat(seen("d2").outstanding()).isEqualTo(1);
        assertThat(leases.overlayVersioned(snapshot).version()).isGreaterThan(seen.version());
    }

    @Test
    void overlayReusesTheLastSnapshotOnlyWhileNothingChanged() {
        ClusterSnapshot snapshot = new ClusterSnapshot(1, List.of(endpoint("d1").build(), endpoint("d2").build()));
        leases.open("r1", "t", "d1", null, 100, 0);
        ClusterSnapshot first = leases.overlay(snapshot);
        assertThat(leases.overlay(snapshot)).isSameAs(first);

        var lease = leases.open("r2", "t", "d2", null, 100, 0);
        ClusterSnapshot second = leases.overlay(snapshot);
        assertThat(second.endpoints().get(0)).as("d1 unchanged").isSameAs(first.endpoints().get(0));
        assertThat(second.byId().get("d2").outstanding()).isEqualTo(1);

        clock.advance(Duration.ofMillis(5));   // backlogs drain 50 tokens
        ClusterSnapshot third = leases.overlay(snapshot);
        assertThat(third.byId().get("d1").prefillBacklogTokens()).isEqualTo(50);
        leases.close(lease.leaseId());
        assertThat(leases.overlay(snapshot).byId().get("d2").outstanding()).isZero();
        ClusterSnapshot other = new ClusterSnapshot(2, List.of(endpoint("d2").build()));
        assertThat(leases.overlay(other).endpoints()).extracting(e -> e.id()).containsExactly("d2");
        assertThat(leases.overlay(snapshot).endpoints()).extracting(e -> e.outstanding()).containsExactly(1, 0);
    }
}
