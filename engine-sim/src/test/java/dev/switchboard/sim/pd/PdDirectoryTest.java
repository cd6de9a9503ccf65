package dev.switchboard.sim.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

/** Rendezvous bookkeeping between prefill and decode legs. */
class PdDirectoryTest {

    @Test
    void releaseReachesTheRegisteredEngineOnly() {
        PdDirectory pd = new PdDirectory();
        List<String> released = new ArrayList<>();
        pd.register("p", released::add);
        assertThat(pd.release("p", "p-1")).isTrue();
        assertThat(pd.release("elsewhere", "x")).isFalse();
        assertThat(pd.release(null, "x")).isFalse();
        assertThat(released).containsExactly("p-1");
        assertThatThrownBy(() -> pd.register("p", id -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRoomDeliversTheResultWhicheverLegComesFirstAndIsForgottenAfterwards() {
        PdDirectory pd = new PdDirectory();
        PdDirectory.PrefilledKv kv = new PdDirectory.PrefilledKv("p", "p-1", 100);
        pd.prefillDone(1, kv);
        assertThat(pd.awaitPrefill(1, Duration.ofSeconds(1)).block()).isEqualTo(kv);
        var waiting = pd.awaitPrefill(2, Duration.ofSeconds(5)).toFuture();
        pd.prefillDone(2, kv);
        assertThat(waiting.join()).isEqualTo(kv);
        assertThat(pd.openRooms()).isZero();
    }

    @Test
    void aRoomTimesOutOrFailsWithThePrefill() {
        PdDirectory pd = new PdDirectory();
        assertThatThrownBy(() -> pd.awaitPrefill(3, Duration.ofMillis(20)).block())
                .hasCauseInstanceOf(TimeoutException.class);
        pd.prefillFailed(4, "boom");
        assertThatThrownBy(() -> pd.awaitPrefill(4, Duration.ofSeconds(1)).block()).hasMessageContaining("boom");
        assertThat(pd.openRooms()).isZero();
    }
}
