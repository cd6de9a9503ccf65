package dev.switchboard.bench.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class CapacitySearchTest {
    private static final double THRESHOLD = 3.7;

    @Test
    void bracketsTheThresholdOfAMonotoneFunctionFromBelow() {
        AtomicInteger calls = new AtomicInteger();
        CapacitySearch.Result r = CapacitySearch.search(new CapacitySearch.Bounds(1, 0.01, 100, 12, 0.02), s -> {
            calls.incrementAndGet();
            return s <= THRESHOLD;
        });
        assertThat(r.capacity()).isLessThanOrEqualTo(THRESHOLD).isGreaterThan(THRESHOLD * 0.98);
        assertThat(r.upper()).isGreaterThan(THRESHOLD);
        assertThat((r.upper() - r.lower()) / r.lower()).isLessThanOrEqualTo(0.02);
        assertThat(r.converged()).isTrue();
        assertThat(r.probes()).hasSize(calls.get());
        // 1, 2, 4 (miss), then bisection of [2, 4]
        assertThat(r.probes().subList(0, 3)).extracting(CapacitySearch.Probe::rateScale).containsExactly(1.0, 2.0, 4.0);
        assertThat(r.probes()).allSatisfy(p -> assertThat(p.sloMet()).isEqualTo(p.rateScale() <= THRESHOLD));
    }

    @Test
    void shrinksWhenTheStartAlreadyMisses() {
        CapacitySearch.Result r = CapacitySearch.search(new CapacitySearch.Bounds(16, 0.01, 100, 12, 0.05), s -> s <= THRESHOLD);
        assertThat(r.probes().subList(0, 3)).extracting(CapacitySearch.Probe::rateScale).containsExactly(16.0, 8.0, 4.0);
        assertThat(r.capacity()).isBetween(THRESHOLD * 0.95, THRESHOLD);
    }

    @Test
    void stopsAtTheProbeBudgetAndReportsTheBracket() {
        CapacitySearch.Result r = CapacitySearch.search(new CapacitySearch.Bounds(1, 0.01, 100, 4, 0.001), s -> s <= THRESHOLD);
        assertThat(r.probes()).hasSize(4);
        assertThat(r.converged()).isFalse();
        assertThat(r.lower()).isEqualTo(3.0);
        assertThat(r.upper()).isEqualTo(4.0);
    }

    @Test
    void reportsWhenTheSloHoldsEverywhereOrNowhere() {
        CapacitySearch.Result always = CapacitySearch.search(new CapacitySearch.Bounds(1, 0.5, 8, 10, 0.05), s -> true);
        assertThat(always.capacity()).isEqualTo(8.0);
        assertThat(always.upper()).isNull();
        assertThat(always.converged()).isFalse();

        CapacitySearch.Result never = CapacitySearch.search(new CapacitySearch.Bounds(1, 0.25, 8, 10, 0.05), s -> false);
        assertThat(never.capacity()).isZero();
        assertThat(never.upper()).isEqualTo(0.25);
        assertThat(never.probes()).extracting(CapacitySearch.Probe::rateScale).containsExactly(1.0, 0.5, 0.25);
    }

    @Test
    void validatesBounds() {
        assertThatThrownBy(() -> new CapacitySearch.Bounds(200, 0.01, 100, 10, 0.05))
                .hasMessage("the start scale 200.0 must lie in [0.01, 100.0]");
        assertThatThrownBy(() -> new CapacitySearch.Bounds(1, 0.01, 100, 1, 0.05)).hasMessageContaining("at least 2 probes");
    }
}
