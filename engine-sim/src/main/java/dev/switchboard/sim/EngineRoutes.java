package dev.switchboard.sim;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.sim.metrics.EngineMetrics;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Every route of one engine's port: the kind's API ({@link OpenAiRoutes}, plus {@link SglangRoutes} for
 * SGLang), {@code /health}, {@code /version}, {@code /metrics}, and the simulator's own {@code /sim/*}
 * endpoints (recent requests, faults, stats), which keep answering while the engine hangs.
 */
final class EngineRoutes {
    static final String VLLM_VERSION = "0.11.0+switchboard-sim";

    private final SimEngine engine;
    private final Http http;
    private final Clock clock;
    private final FaultControl faultControl;
    private final RecentRequests recent = new RecentRequests();

    /** Applies fault settings to an engine (crash needs the server, so it lives with the servers). */
    @FunctionalInterface
    interface FaultControl {
        SimProperties.Faults apply(String engineId, Map<String, Object> changes, boolean fromOwnPort);
    }

    EngineRoutes(SimEngine engine, Http http, Clock clock, FaultControl faultControl) {
        this.engine = engine;
        this.http = http;
        this.clock = clock;
        this.faultControl = faultControl;
    }

    RouterFunction<ServerResponse> routes() {
        RouterFunction<ServerResponse> api = new OpenAiRoutes(engine, http, clock).routes();
        if (engine.config().kind() == EngineKind.SGLANG) {
            api = api.and(new SglangRoutes(engine, http, clock).routes());
        }
        return RouterFunctions.route()
                .GET("/health", request -> ServerResponse.ok().build())
                .GET("/version", request -> http.json(HttpStatus.OK, Map.of("version",
                        engine.config().kind() == EngineKind.SGLANG ? SglangRoutes.SGLANG_VERSION : VLLM_VERSION)))
                .GET("/metrics", this::metrics)
                .GET("/sim/requests", request -> http.json(HttpStatus.OK, recent.snapshot()))
                .GET("/sim/faults", request -> http.json(HttpStatus.OK, EngineServers.toJson(engine.faults().current())))
                .POST("/sim/faults", this::setFaults)
                .GET("/sim/stats", request -> http.json(HttpStatus.OK, stats(engine)))
                .build()
                .and(api)
                .filter((request, next) -> {
                    recent.record(clock.millis(), request.method().name(), request.path(),
                            request.headers().asHttpHeaders());
                    String path = request.path();
                    if (engine.faults().current().hang() && !path.startsWith("/sim/") && !path.equals("/metrics")) {
                        return Mono.never(); // accepted, never answered
                    }
                    return next.handle(request);
                });
    }

    private Mono<ServerResponse> metrics(ServerRequest request) {
        return ServerResponse.ok().header("Content-Type", EngineMetrics.CONTENT_TYPE)
                .bodyValue(engine.metrics().scrape());
    }

    @SuppressWarnings("unchecked")
    private Mono<ServerResponse> setFaults(ServerRequest request) {
        return Http.body(request).flatMap(body -> {
            Map<String, Object> changes;
            try {
                changes = http.mapper().readValue(body, Map.class);
            } catch (RuntimeException e) {
                throw EngineApiException.badRequest("Invalid JSON body: expected an object like "
                        + "{\"crash\":false,\"hang\":false,\"slowdown\":1.0,\"error_rate\":0.0}", null);
            }
            return Mono.fromCallable(() -> faultControl.apply(engine.config().id(), changes, true))
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(faults -> http.json(HttpStatus.OK, EngineServers.toJson(faults)));
        }).onErrorResume(EngineApiException.class, http::error);
    }

    /** The simulator's view of an engine: core state and whether the driver keeps pace. */
    static Map<String, Object> stats(SimEngine engine) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine", engine.config().id());
        out.put("core", engine.driver().stats());
        out.put("driver", engine.driver().driverStats());
        out.put("lag_ms", engine.driver().driverStats().lagNanos() / 1e6);
        out.put("faults", EngineServers.toJson(engine.faults().current()));
        return out;
    }
}
