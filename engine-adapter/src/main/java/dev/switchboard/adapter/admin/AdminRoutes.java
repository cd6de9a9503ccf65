package dev.switchboard.adapter.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.engine.Drainer;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.engine.EngineStatus;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import reactor.core.publisher.Mono;

/**
 * The adapter's admin API on its own port (behind {@link AdminAuthFilter}):
 * <ul>
 *   <li>{@code POST /admin/drain[?endpoint=id,id]}: drain the engines (all by default); answers 202 at
 *       once, the drain goes on in the background (see {@code GET /admin/status});</li>
 *   <li>{@code POST /admin/undrain[?endpoint=id,id]}: stop or undo a drain;</li>
 *   <li>{@code GET /admin/status}: each engine's descriptor, lifecycle, latest load report, scrape and
 *       KV-event counters, event-stream subscribers and drops.</li>
 * </ul>
 */
public final class AdminRoutes {
    private final EngineFleet fleet;
    private final Drainer drainer;

    public AdminRoutes(EngineFleet fleet, Drainer drainer) {
        this.fleet = fleet;
        this.drainer = drainer;
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST("/admin/drain", this::drain)
                .POST("/admin/undrain", this::undrain)
                .GET("/admin/status", this::status)
                .build();
    }

    /** One engine's status. */
    public record EngineView(String endpointId, int listenPort, String engineUrl, EngineDescriptor descriptor,
            LifecycleEvent lifecycle, boolean healthy, boolean draining, int inFlight, LoadReport lastLoad,
            EngineStatus.Scrape.View scrape, EngineStatus.Kv.View kvEvents, EventsView events) {
    }

    /** Event-stream figures of one engine. */
    public record EventsView(int subscribers, Map<String, Long> dropped) {
    }

    public EngineView view(EngineEndpoint e) {
        Map<String, Long> dropped = new LinkedHashMap<>();
        for (String type : List.of(AdapterEvents.STATE, AdapterEvents.LOAD, AdapterEvents.KV, AdapterEvents.LIFECYCLE)) {
            dropped.put(type, e.hub().dropped(type));
        }
        return new EngineView(e.id(), e.config().listenPort(), e.config().engineUrl().toString(), e.descriptor(), e.lifecycle(),
                e.healthy(), e.draining(), e.inFlight(), e.lastLoad(), e.status().scrape.view(), e.status().kv.view(),
                new EventsView(e.hub().subscribers(), dropped));
    }

    private Mono<ServerResponse> status(ServerRequest request) {
        return json(HttpStatus.OK, Map.of("engines", fleet.endpoints().stream().map(this::view).toList()));
    }

    private Mono<ServerResponse> drain(ServerRequest request) {
        List<EngineEndpoint> targets = targets(request);
        if (targets == null) {
            return unknown(request);
        }
        for (EngineEndpoint e : targets) {
            drainer.drain(e, "admin drain").subscribe();
        }
        return json(HttpStatus.ACCEPTED, Map.of("engines", targets.stream().map(this::view).toList()));
    }

    private Mono<ServerResponse> undrain(ServerRequest request) {
        List<EngineEndpoint> targets = targets(request);
        if (targets == null) {
            return unknown(request);
        }
        targets.forEach(e -> drainer.undrain(e, "admin undrain"));
        return json(HttpStatus.OK, Map.of("engines", targets.stream().map(this::view).toList()));
    }

    /** The engines named by {@code ?endpoint=}, all if absent, {@code null} if one is unknown. */
    private List<EngineEndpoint> targets(ServerRequest request) {
        var param = request.queryParam("endpoint");
        if (param.isEmpty() || param.get().isBlank()) {
            return fleet.endpoints();
        }
        List<EngineEndpoint> out = new ArrayList<>();
        for (String id : param.get().split(",")) {
            var e = fleet.endpoint(id.trim());
            if (e.isEmpty()) {
                return null;
            }
            out.add(e.get());
        }
        return out;
    }

    private Mono<ServerResponse> unknown(ServerRequest request) {
        return json(HttpStatus.NOT_FOUND, new ApiError("Unknown endpoint in '" + request.queryParam("endpoint").orElse("")
                + "'; known: " + fleet.endpoints().stream().map(EngineEndpoint::id).toList(), ApiError.NOT_FOUND, "endpoint",
                "endpoint_not_found").body());
    }

    private static Mono<ServerResponse> json(HttpStatus status, Object body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(AdapterJson.MAPPER.writeValueAsString(body));
    }
}
