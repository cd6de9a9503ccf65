package dev.switchboard.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunctions;

import dev.switchboard.sim.pd.PdDirectory;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.ObjectMapper;

/**
 * Starts one engine (core, driver thread, metrics, KV events) and one HTTP server per configured engine
 * when the application starts, and stops them with it. Also applies faults, since a crash closes the
 * engine's server and a recovery opens it again.
 */
@Component
class EngineServers implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(EngineServers.class);

    private final SimProperties properties;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final PdDirectory pd = new PdDirectory();
    private final SplittableRandom dice = new SplittableRandom();
    private final Map<String, Running> engines = new LinkedHashMap<>();
    private boolean running;

    @Autowired
    EngineServers(SimProperties properties, ObjectMapper mapper) {
        this(properties, mapper, Clock.systemUTC());
    }

    EngineServers(SimProperties properties, ObjectMapper mapper, Clock clock) {
        this.properties = properties;
        this.mapper = mapper;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        Http http = new Http(mapper);
        try {
            for (SimProperties.Engine config : properties.engines()) {
                SimEngine engine = SimEngine.start(properties, config, pd, clock, this::roll);
                HttpHandler handler = RouterFunctions.toHttpHandler(
                        new EngineRoutes(engine, http, clock, this::applyFaults).routes(), HandlerStrategies.withDefaults());
                Running r = new Running(engine, new ReactorHttpHandlerAdapter(handler));
                engines.put(config.id(), r);
                if (!config.faults().crash()) {
                    r.open(properties.bindHost());
                }
                log.info("simulated {} engine '{}' ({}, model {}) {} {}:{}", config.kind().wireName(), config.id(),
                        config.role().wireName(), config.model(), config.faults().crash() ? "crashed, port closed:" : "listening on",
                        properties.bindHost(), config.port());
            }
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        running = true;
    }

    @Override
    public synchronized void stop() {
        for (Running r : engines.values()) {
            r.close();
            r.engine.close();
        }
        engines.clear();
        running = false;
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    /** A running engine by id. */
    synchronized Optional<SimEngine> engine(String id) {
        Running r = engines.get(id);
        return Optional.ofNullable(r == null ? null : r.engine);
    }

    /** Ids of the engines, in configuration order. */
    synchronized List<String> engineIds() {
        return new ArrayList<>(engines.keySet());
    }

    /**
     * Merges {@code changes} ({@code crash}, {@code hang}, {@code slowdown}, {@code error_rate}) into an
     * engine's faults and applies them: slowdown and hang to its driver; a crash cuts in-flight requests,
     * empties the KV cache and closes the port (after answering, when asked through that very port); a
     * recovery opens the port again.
     *
     * @throws EngineApiException 404 for an unknown engine, 400 for a bad value
     */
    SimProperties.Faults applyFaults(String engineId, Map<String, Object> changes, boolean fromOwnPort) {
        Running r;
        SimProperties.Faults before;
        SimProperties.Faults after;
        synchronized (this) {
            r = engines.get(engineId);
            if (r == null) {
                throw EngineApiException.notFound("No engine '" + engineId + "' in this simulator", "engine");
            }
            before = r.engine.faults().current();
            after = merge(before, changes);
            r.engine.faults().set(after);
            r.engine.applyFaultsToDriver(after);
        }
        if (after.crash() && !before.crash()) {
            r.engine.driver().abortAll();
            r.engine.driver().resetPrefixCache(); // a restarted engine has an empty cache
            // closing blocks (disposeNow): off the caller's thread; when asked through the engine's own port,
            // let the answer to this very request leave before the port closes
            Schedulers.boundedElastic().schedule(r::close, fromOwnPort ? 100 : 0, TimeUnit.MILLISECONDS);
            log.warn("engine '{}' crashed (fault injection)", engineId);
        } else if (!after.crash() && before.crash()) {
            synchronized (this) {
                r.open(properties.bindHost());
            }
            log.warn("engine '{}' recovered from its crash", engineId);
        }
        return after;
    }

    /** The faults as JSON ({@code error_rate} in snake case, like the request). */
    static Map<String, Object> toJson(SimProperties.Faults f) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("crash", f.crash());
        out.put("hang", f.hang());
        out.put("slowdown", f.slowdown());
        out.put("error_rate", f.errorRate());
        return out;
    }

    private static SimProperties.Faults merge(SimProperties.Faults f, Map<String, Object> changes) {
        boolean crash = f.crash();
        boolean hang = f.hang();
        double slowdown = f.slowdown();
        double errorRate = f.errorRate();
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            String key = e.getKey().replace('-', '_').replace("errorRate", "error_rate");
            Object v = e.getValue();
            switch (key) {
                case "crash" -> crash = bool(key, v);
                case "hang" -> hang = bool(key, v);
                case "slowdown" -> slowdown = number(key, v);
                case "error_rate" -> errorRate = number(key, v);
                default -> throw EngineApiException.badRequest("Unknown fault '" + e.getKey()
                        + "'; known: crash, hang, slowdown, error_rate", e.getKey());
            }
        }
        try {
            return new SimProperties.Faults(crash, hang, slowdown, errorRate);
        } catch (IllegalArgumentException ex) {
            throw EngineApiException.badRequest(ex.getMessage(), null);
        }
    }

    private static boolean bool(String key, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw EngineApiException.badRequest("Fault '" + key + "' must be true or false, but was " + v, key);
    }

    private static double number(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw EngineApiException.badRequest("Fault '" + key + "' must be a number, but was " + v, key);
    }

    private double roll() {
        synchronized (dice) {
            return dice.nextDouble();
        }
    }

    /** An engine and its (possibly closed) server. */
    private static final class Running {
        final SimEngine engine;
        final ReactorHttpHandlerAdapter handler;
        private DisposableServer server;
        private ChannelGroup connections;

        Running(SimEngine engine, ReactorHttpHandlerAdapter handler) {
            this.engine = engine;
            this.handler = handler;
        }

        synchronized void open(String host) {
            if (server == null) {
                connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
                server = HttpServer.create().host(host).port(engine.config().port()).channelGroup(connections)
                        .handle(handler).bindNow(Duration.ofSeconds(10));
            }
        }

        /** Closes the port and every open connection at once (a dead process keeps no keep-alive connection). */
        synchronized void close() {
            if (server != null) {
                // the listening socket first: a connection whose close is slow (a response failing as it is cut)
                // must not keep the port accepting while the others close
                server.dispose();
                connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                try {
                    server.onDispose().block(Duration.ofSeconds(5));
                } catch (IllegalStateException slow) {
                    log.warn("engine '{}': its server took over 5 s to close; going on", engine.config().id());
                }
                server = null;
            }
        }
    }
}
