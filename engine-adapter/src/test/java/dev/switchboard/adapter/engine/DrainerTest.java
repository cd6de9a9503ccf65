package dev.switchboard.adapter.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.support.Engines;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.wire.LifecycleEvent.State;

@Timeout(10)
class DrainerTest {
    private final EngineFleet fleet = new EngineFleet(Engines.adapter(
            Engines.engine(18071, "a", EngineRole.DECODE, "http://127.0.0.1:1"),
            Engines.engine(18072, "b", EngineRole.DECODE, "http://127.0.0.1:2")), Clock.systemUTC(), AdapterJson.MAPPER);
    private final EngineEndpoint a = fleet.endpoint("a").orElseThrow();
    private final EngineEndpoint b = fleet.endpoint("b").orElseThrow();

    @Test
    void drainingWaitsForInFlightRequestsThenDeregisters() throws Exception {
        a.health(true, "");
        a.requestStarted();
        Drainer drainer = new Drainer(Duration.ofSeconds(5));
        var result = drainer.drain(a, "test").toFuture();

        Thread.sleep(100);
        assertThat(a.lifecycle().state()).isEqualTo(State.DRAINING);
        assertThat(result).isNotDone();
        a.requestEnded();

        Drainer.Result r = result.get();
        assertThat(r.drained()).isTrue();
        assertThat(r.leftInFlight()).isZero();
        assertThat(a.lifecycle().state()).isEqualTo(State.DEREGISTERED);
    }

    @Test
    void aDrainIsBoundedByItsTimeout() {
        a.requestStarted();
        Drainer.Result r = new Drainer(Duration.ofMillis(200)).drain(a, "test").block();
        assertThat(r.drained()).isFalse();
        assertThat(r.leftInFlight()).isEqualTo(1);
        assertThat(a.lifecycle().state()).isEqualTo(State.DEREGISTERED);
        assertThat(a.lifecycle().detail()).contains("1 request(s) in flight");
    }

    @Test
    void undrainStopsARunningDrainAndShutdownDrainsEverything() {
        a.health(true, "");
        b.health(true, "");
        a.requestStarted();
        Drainer drainer = new Drainer(Duration.ofSeconds(5));
        var pending = drainer.drain(a, "admin").toFuture();
        drainer.undrain(a, "admin undrain");
        assertThat(pending.join().drained()).isFalse();
        assertThat(a.lifecycle().state()).isEqualTo(State.READY);
        a.requestEnded();

        ShutdownDrain shutdown = new ShutdownDrain(fleet, drainer, Duration.ofSeconds(5));
        shutdown.start();
        shutdown.stop();
        assertThat(List.of(a.lifecycle().state(), b.lifecycle().state())).containsOnly(State.DEREGISTERED);
    }
}
