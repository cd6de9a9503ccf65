package dev.switchboard.adapter.engine;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.events.EventHub;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/** The endpoints of every engine this adapter fronts, in configuration order. */
public final class EngineFleet {
    private final Map<String, EngineEndpoint> byId = new LinkedHashMap<>();

    public EngineFleet(AdapterProperties properties, Clock clock, JsonMapper json) {
        for (AdapterProperties.Engine engine : properties.engines()) {
            EventHub hub = new EventHub(json, properties.events().subscriberBuffer(), System::nanoTime,
                    properties.events().kvLinger(), Schedulers.parallel());
            byId.put(engine.endpointId(), new EngineEndpoint(engine, clock, hub));
        }
    }

    public List<EngineEndpoint> endpoints() {
        return List.copyOf(byId.values());
    }

    public Optional<EngineEndpoint> endpoint(String id) {
        return Optional.ofNullable(byId.get(id));
    }
}
