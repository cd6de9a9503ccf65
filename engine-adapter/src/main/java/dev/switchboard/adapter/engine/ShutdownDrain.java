package dev.switchboard.adapter.engine;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drains every engine when the application context closes (SIGTERM): the first lifecycle component to
 * stop, so listeners keep serving the in-flight requests while they finish and registration is
 * withdrawn before the listeners close.
 */
public class ShutdownDrain implements SmartLifecycle {
    /**
     * The highest phase ({@code DEFAULT_PHASE} is {@code Integer.MAX_VALUE}): stops first, before the
     * registrar, the watchers, the engine listeners and Spring Boot's own web server.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE;
    private static final Logger log = LoggerFactory.getLogger(ShutdownDrain.class);

    private final EngineFleet fleet;
    private final Drainer drainer;
    private final Duration timeout;
    private volatile boolean running;

    public ShutdownDrain(EngineFleet fleet, Drainer drainer, Duration timeout) {
        this.fleet = fleet;
        this.drainer = drainer;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        long start = System.nanoTime();
        var results = drainer.drainAll(fleet.endpoints(), "shutting down").block(timeout.plusSeconds(5));
        log.info("shutdown drain finished in {} ms: {}", (System.nanoTime() - start) / 1_000_000, results);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
