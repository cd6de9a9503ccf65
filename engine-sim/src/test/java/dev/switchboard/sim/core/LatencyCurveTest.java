package dev.switchboard.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatencyCurveTest {
    private static final LatencyCurve CURVE = LatencyCurve.of(new double[] {1, 128, 1024}, new double[] {0.2, 0.2, 1.0});

    @ParameterizedTest(name = "at({0}) = {1}")
    @CsvSource({
            "0.5, 0.2",    // below the first point: latency floor
            "1, 0.2",      // on a point
            "64, 0.2",     // flat segment
            "128, 0.2",
            "576, 0.6",    // halfway between 128 and 1024: linear
            "1024, 1.0",
            "2048, 2.0",   // beyond the last point: proportional
            "10240, 10.0"})
    void interpolatesLinearlyClampsBelowAndScalesProportionallyAbove(double x, double expected) {
        assertThat(CURVE.at(x)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void calibrationPointsAreReproducedExactly() {
        ModelCalibration m = GpuProfiles.h100("llama-3-8b").model();
        assertThat(m.denseLayerMs(2048)).isEqualTo(1.5632423877716064);
        assertThat(m.lmHeadMs(128)).isEqualTo(0.37365058045949995);
        assertThat(m.decodeAttentionMs(128, 1024)).isEqualTo(0.1834885310811965);
        assertThat(m.prefillAttentionMs(8192, 0)).isEqualTo(0.9748479723930359);
    }

    @Test
    void decodeGridInterpolatesBetweenBatchRowsAndExtrapolatesMissingCorners() {
        DecodeAttentionGrid g = DecodeAttentionGrid.of(Map.of(
                1, LatencyCurve.of(new double[] {256, 1024}, new double[] {0.01, 0.02}),
                64, LatencyCurve.of(new double[] {256, 1024, 4096}, new double[] {0.03, 0.09, 0.36}),
                128, LatencyCurve.of(new double[] {256, 1024}, new double[] {0.06, 0.18})));
        assertThat(g.at(0, 1024)).isZero();
        assertThat(g.at(64, 1024)).isEqualTo(0.09);
        assertThat(g.at(96, 1024)).isCloseTo(0.135, within(1e-12));          // halfway between rows
        assertThat(g.at(128, 4096)).isCloseTo(0.72, within(1e-12));          // row 128 proportional in context
        assertThat(g.at(256, 1024)).isCloseTo(0.36, within(1e-12));          // proportional in batch
        assertThat(g.at(1, 100)).isEqualTo(0.01);                            // floor
    }

    @Test
    void mapPointsKeepsSizes() {
        LatencyCurve doubled = CURVE.mapPoints((x, ms) -> 2 * ms);
        assertThat(doubled.at(576)).isCloseTo(1.2, within(1e-12));
        assertThat(doubled.size()).isEqualTo(3);
        assertThat(doubled.minX()).isEqualTo(1);
        assertThat(doubled.maxX()).isEqualTo(1024);
    }

    @Test
    void rejectsBadTables() {
        assertThatThrownBy(() -> LatencyCurve.of(new double[] {}, new double[] {}))
                .hasMessage("a latency curve needs at least 1 point, but had 0");
        assertThatThrownBy(() -> LatencyCurve.of(new double[] {1, 2}, new double[] {1}))
                .hasMessage("xs and ms must have the same length, but had 2 and 1");
        assertThatThrownBy(() -> LatencyCurve.of(new double[] {2, 2}, new double[] {1, 1}))
                .hasMessage("xs must be strictly increasing, but xs[1]=2.0 <= xs[0]=2.0");
        assertThatThrownBy(() -> LatencyCurve.of(new double[] {1}, new double[] {0}))
                .hasMessage("ms[0] must be a finite number > 0, but was 0.0");
    }
}
