package dev.switchboard.adapter.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.EngineClients;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.proxy.pd.PdRouter;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Opens one listener per fronted engine at startup (before registration, which runs in a later
 * lifecycle phase) and closes them at shutdown, after the drain. What a listener serves is
 * {@link EngineProxy}'s.
 */
public class EngineListeners implements SmartLifecycle {
    /** Listeners start before registration and stop after deregistration. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1000;
    private static final Logger log = LoggerFactory.getLogger(EngineListeners.class);

    private final AdapterProperties properties;
    private final EngineFleet fleet;
    private final EngineClients clients;
    private final AdapterMetrics metrics;
    private final List<DisposableServer> servers = new ArrayList<>();

    public EngineListeners(AdapterProperties properties, EngineFleet fleet, EngineClients clients, AdapterMetrics metrics) {
        this.properties = properties;
        this.fleet = fleet;
        this.clients = clients;
        this.metrics = metrics;
    }

    @Override
    public synchronized void start() {
        for (EngineEndpoint endpoint : fleet.endpoints()) {
            AdapterProperties.Engine engine = endpoint.config();
            EngineProxy proxy = new EngineProxy(endpoint, clients,
                    new PdRouter(endpoint, clients.web(), properties.pd(), metrics));
            servers.add(HttpServer.create()
                    .host(properties.bindHost())
                    .port(engine.listenPort())
                    .handle(proxy)
                    .bindNow(Duration.ofSeconds(10)));
            log.info("fronting engine '{}' ({} {}, kind {}) at {} on {}:{}", engine.endpointId(), engine.role().wireName(),
                    engine.model(), engine.engineKind().name().toLowerCase(java.util.Locale.ROOT), engine.engineUrl(),
                    properties.bindHost(), engine.listenPort());
        }
    }

    @Override
    public synchronized void stop() {
        fleet.endpoints().forEach(e -> e.hub().completeAll());
        servers.forEach(server -> server.disposeNow(Duration.ofSeconds(10)));
        servers.clear();
    }

    @Override
    public synchronized boolean isRunning() {
        return !servers.isEmpty();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
