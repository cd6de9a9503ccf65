package dev.switchboard.scheduler.framework;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The immutable view of every known endpoint, replaced as a whole when anything changes.
 *
 * @param version   increases with every replacement
 * @param endpoints endpoints in discovery order
 */
public record ClusterSnapshot(long version, List<EndpointView> endpoints) {
    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(0, List.of());

    public ClusterSnapshot {
        endpoints = List.copyOf(endpoints);
    }

    /** Endpoints by id. */
    public Map<String, EndpointView> byId() {
        return endpoints.stream().collect(Collectors.toUnmodifiableMap(EndpointView::id, Function.identity()));
    }
}
