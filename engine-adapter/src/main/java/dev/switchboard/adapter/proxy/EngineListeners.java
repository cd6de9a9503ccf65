package dev.switchboard.adapter.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunctions;

import dev.switchboard.adapter.AdapterProperties;
import io.netty.channel.ChannelOption;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * Opens one listener per fronted engine at startup (before registration, which runs in a later
 * lifecycle phase) and closes them at shutdown.
 */
@Component
public class EngineListeners implements SmartLifecycle {
    /** Listeners start before registration and stop after deregistration. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1000;
    private static final Logger log = LoggerFactory.getLogger(EngineListeners.class);

    private final AdapterProperties properties;
    private final WebClient engineClient;
    private final List<DisposableServer> servers = new ArrayList<>();

    public EngineListeners(AdapterProperties properties, WebClient.Builder webClients) {
        this.properties = properties;
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis());
        this.engineClient = webClients.clone().clientConnector(new ReactorClientHttpConnector(http)).build();
    }

    @Override
    public synchronized void start() {
        for (AdapterProperties.Engine engine : properties.engines()) {
            EngineProxy proxy = new EngineProxy(engine.descriptor(), engineClient);
            HttpHandler handler = RouterFunctions.toHttpHandler(proxy.routes(), HandlerStrategies.withDefaults());
            servers.add(HttpServer.create()
                    .host(properties.bindHost())
                    .port(engine.listenPort())
                    .handle(new ReactorHttpHandlerAdapter(handler))
                    .bindNow(Duration.ofSeconds(10)));
            log.info("fronting {} engine '{}' ({} {}) at {} on {}:{}", engine.engineKind().wireName(), engine.endpointId(),
                    engine.role().wireName(), engine.model(), engine.engineUrl(), properties.bindHost(), engine.listenPort());
        }
    }

    @Override
    public synchronized void stop() {
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
