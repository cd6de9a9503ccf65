package dev.switchboard.sim;

import java.util.Map;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.ObjectMapper;

/**
 * Simulator administration on the process's own port ({@code server.port}), which stays up when an
 * engine crashes: {@code GET /sim/engines} (every engine's stats), {@code GET|POST /sim/engines/{id}/faults}.
 * The same fault JSON is accepted on each engine's own port at {@code /sim/faults}, but only this one can
 * bring a crashed engine back.
 */
@Configuration(proxyBeanMethods = false)
class AdminRoutes {

    @Bean
    RouterFunction<ServerResponse> simAdminRoutes(EngineServers servers, ObjectMapper mapper) {
        Http http = new Http(mapper);
        return RouterFunctions.route()
                .GET("/sim/engines", request -> http.json(HttpStatus.OK, servers.engineIds().stream()
                        .flatMap(id -> servers.engine(id).stream()).map(EngineRoutes::stats).toList()))
                .GET("/sim/engines/{id}/faults", request -> servers.engine(request.pathVariable("id"))
                        .map(e -> http.json(HttpStatus.OK, EngineServers.toJson(e.faults().current())))
                        .orElseGet(() -> http.error(EngineApiException.notFound("No engine '" + request.pathVariable("id")
                                + "' in this simulator", "engine"))))
                .POST("/sim/engines/{id}/faults", request -> setFaults(servers, http, request))
                .build();
    }

    @SuppressWarnings("unchecked")
    private static Mono<ServerResponse> setFaults(EngineServers servers, Http http, ServerRequest request) {
        return Http.body(request).flatMap(body -> {
            Map<String, Object> changes;
            try {
                changes = http.mapper().readValue(body, Map.class);
            } catch (RuntimeException e) {
                throw EngineApiException.badRequest("Invalid JSON body: expected an object of faults", null);
            }
            // reopening a crashed engine's port binds it, which blocks: not on an event-loop thread
            return Mono.fromCallable(() -> servers.applyFaults(request.pathVariable("id"), changes, false))
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(faults -> http.json(HttpStatus.OK, EngineServers.toJson(faults)));
        }).onErrorResume(EngineApiException.class, http::error);
    }

}
