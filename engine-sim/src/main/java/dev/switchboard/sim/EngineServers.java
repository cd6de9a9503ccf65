package dev.switchboard.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunctions;

import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.ObjectMapper;

/** Starts one HTTP server per configured engine when the application starts, and stops them with it. */
@Component
class EngineServers implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(EngineServers.class);

    private final SimProperties properties;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final List<DisposableServer> servers = new ArrayList<>();

    EngineServers(SimProperties properties, ObjectMapper mapper) {
        this.properties = properties;
        this.mapper = mapper;
        this.clock = Clock.systemUTC();
    }

    @Override
    public synchronized void start() {
        for (SimProperties.Engine config : properties.engines()) {
            OpenAiRoutes routes = new OpenAiRoutes(new SimulatedEngine(config), mapper, clock);
            HttpHandler handler = RouterFunctions.toHttpHandler(routes.routes(), HandlerStrategies.withDefaults());
            DisposableServer server = HttpServer.create()
                    .host(properties.bindHost())
                    .port(config.port())
                    .handle(new ReactorHttpHandlerAdapter(handler))
                    .bindNow(Duration.ofSeconds(10));
            servers.add(server);
            log.info("simulated {} engine '{}' ({}, model {}) listening on {}:{}", config.kind().wireName(), config.id(),
                    config.role().wireName(), config.model(), properties.bindHost(), config.port());
        }
    }

    @Override
    public synchronized void stop() {
        servers.forEach(server -> server.disposeNow(Duration.ofSeconds(5)));
        servers.clear();
    }

    @Override
    public synchronized boolean isRunning() {
        return !servers.isEmpty();
    }
}
