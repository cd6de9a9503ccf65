package dev.switchboard.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class WorkloadTransformsTest {

    private static TraceRequest at(long millis, String session) {
        return TraceRequest.of(millis * 1_000_000L, null, Prompt.user(List.of(new TextSegment(millis, 4))), 1, session);
    }

    private static Workload everySecond(int n) {
        List<TraceRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(at(i * 1000L, null));
        }
        return new Workload("w", requests);
    }

    @Test
    void sortsByArrival() {
        Workload w = new Workload("w", List.of(at(300, null), at(100, null), at(200, null)));
        assertThat(w.requests()).extracting(TraceRequest::arrivalMillis).containsExactly(100.0, 200.0, 300.0);
    }

    @Test
    void rateScalingCompressesArrivals() {
        Workload w = everySecond(5).scaleRate(2);
        assertThat(w.requests()).extracting(TraceRequest::arrivalNanos)
                .containsExactly(0L, 500_000_000L, 1_000_000_000L, 1_500_000_000L, 2_000_000_000L);
        assertThat(w.meanRatePerSecond()).isEqualTo(2.0);
        assertThat(everySecond(3).scaleRate(0.5).span()).isEqualTo(Duration.ofSeconds(4));
        assertThatThrownBy(() -> everySecond(3).scaleRate(0))
                .hasMessage("rate scale must be a positive finite number, but was 0.0");
    }

    @Test
    void windowSelectsAndRebases() {
        Workload w = everySecond(10).window(Duration.ofMillis(2500), Duration.ofSeconds(3));
        assertThat(w.requests()).extracting(TraceRequest::arrivalNanos)
                .containsExactly(500_000_000L, 1_500_000_000L, 2_500_000_000L);
        assertThat(everySecond(10).window(Duration.ofSeconds(8), null).size()).isEqualTo(2);
        assertThat(everySecond(10).window(Duration.ofSeconds(20), null).size()).isZero();
        assertThatThrownBy(() -> everySecond(3).window(Duration.ZERO, Duration.ZERO))
                .hasMessage("window length must be > 0, but was PT0S");
    }

    @Test
    void windowOnTheMooncakeSampleKeepsTheRightRecords() {
        Workload trace = TraceSamples.mooncake(1);
        Workload w = trace.window(Duration.ofSeconds(15), Duration.ofSeconds(3));
        long expected = trace.requests().stream()
                .filter(r -> r.arrivalNanos() >= 15_000_000_000L && r.arrivalNanos() < 18_000_000_000L).count();
        assertThat(w.size()).isEqualTo((int) expected).isPositive();
        assertThat(w.requests().get(0).arrivalNanos()).isZero();
    }

    @Test
    void limitKeepsTheFirstRequests() {
        assertThat(everySecond(10).limit(3).requests()).extracting(TraceRequest::arrivalMillis)
                .containsExactly(0.0, 1000.0, 2000.0);
        assertThat(everySecond(2).limit(5).size()).isEqualTo(2);
    }

    @Test
    void roundRobinAssignsWholeSessions() {
        Workload w = new Workload("w", List.of(at(0, "a"), at(1, null), at(2, "a"), at(3, "b"), at(4, null), at(5, "b")))
                .withTenants(new TenantAssignment.RoundRobin(TenantAssignment.names(3)));
        assertThat(w.requests()).extracting(TraceRequest::tenant)
                .containsExactly("tenant-0", "tenant-1", "tenant-0", "tenant-2", "tenant-0", "tenant-2");
    }

    @Test
    void weightedAssignmentFollowsTheWeightsReproducibly() {
        TenantAssignment weighted = new TenantAssignment.Weighted(List.of("big", "small"), List.of(3.0, 1.0), 5);
        Workload w = everySecond(4000).withTenants(weighted);
        Map<String, Long> counts = w.requests().stream().collect(Collectors.groupingBy(TraceRequest::tenant, Collectors.counting()));
        assertThat(counts.get("big")).isBetween(2850L, 3150L);
        assertThat(everySecond(4000).withTenants(weighted)).isEqualTo(w);
        assertThatThrownBy(() -> new TenantAssignment.Weighted(List.of("a", "b"), List.of(1.0), 1))
                .hasMessage("weighted assignment needs one weight per tenant: 2 tenants but 1 weights");
        assertThatThrownBy(() -> new TenantAssignment.Weighted(List.of("a"), List.of(-1.0), 1))
                .hasMessage("tenant weight 1 must be a positive finite number, but was -1.0");
    }

    @Test
    void syntheticTextIsPrefixConsistent() {
        SyntheticText text = new SyntheticText(0);
        String shortText = text.text(new TextSegment(99, 10));
        String longText = new SyntheticText().text(new TextSegment(99, 700));
        assertThat(longText).startsWith(shortText).hasSize(2800).doesNotContain("\"", "\\", "\n");
        assertThat(text.text(new TextSegment(100, 10))).isNotEqualTo(shortText);
    }

    @Test
    void durationsParse() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> Durations.parse("5"))
                .hasMessage("'5' is not a duration; write e.g. 250ms, 90s, 5m, 1h or PT5M");
    }
}
