package dev.switchboard.scheduler.datalayer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.scheduler.SchedulerProperties;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps the set of engine endpoints from Spring Cloud discovery (Nacos or static) as an immutable
 * {@link ClusterSnapshot}, re-read every {@code switchboard.scheduler.discovery-refresh}. An instance
 * whose metadata does not parse is left out and logged once with the precise problem.
 */
@Component
public class EngineDirectory implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(EngineDirectory.class);

    private final ReactiveDiscoveryClient discovery;
    private final Duration refresh;
    private final AtomicReference<ClusterSnapshot> current = new AtomicReference<>(ClusterSnapshot.EMPTY);
    private final List<java.util.function.Consumer<ClusterSnapshot>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Set<String> reportedProblems = ConcurrentHashMap.newKeySet();
    private volatile Disposable polling;

    public EngineDirectory(ReactiveDiscoveryClient discovery, SchedulerProperties properties, MeterRegistry meters) {
        this.discovery = discovery;
        this.refresh = properties.discoveryRefresh();
        meters.gauge("switchboard_scheduler_endpoints", current, ref -> ref.get().endpoints().size());
    }

    /** The latest snapshot (never null). */
    public ClusterSnapshot current() {
        return current.get();
    }

    /** Calls {@code listener} with every new snapshot (after the endpoint set changed). */
    public void onChange(java.util.function.Consumer<ClusterSnapshot> listener) {
        listeners.add(listener);
    }

    /** Reads discovery once and replaces the snapshot if the endpoint set changed. */
    public Mono<ClusterSnapshot> refresh() {
        return discovery.getInstances(MetadataKeys.ENGINES_SERVICE)
                .collectList()
                .map(this::toEndpoints)
                .map(endpoints -> {
                    ClusterSnapshot old = current.get();
                    if (old.endpoints().equals(endpoints)) {
                        return old;
                    }
                    ClusterSnapshot next = new ClusterSnapshot(old.version() + 1, endpoints);
                    current.set(next);
                    log.info("engine endpoints changed (version {}): {}", next.version(),
                            endpoints.stream().map(e -> e.id() + "@" + e.host() + ":" + e.port()).toList());
                    listeners.forEach(l -> l.accept(next));
                    return next;
                });
    }

    private List<EndpointView> toEndpoints(List<ServiceInstance> instances) {
        List<EndpointView> endpoints = new ArrayList<>(instances.size());
        Set<String> ids = new HashSet<>();
        for (ServiceInstance instance : instances) {
            try {
                EngineDescriptor descriptor = EngineDescriptor.fromMetadata(instance.getMetadata());
                if (!ids.add(descriptor.endpointId())) {
                    reportOnce("duplicate endpoint id '" + descriptor.endpointId() + "' at " + instance.getHost() + ":"
                            + instance.getPort() + "; keeping the first");
                    continue;
                }
                endpoints.add(EndpointView.discovered(descriptor, instance.getHost(), instance.getPort()));
            } catch (IllegalArgumentException e) {
                reportOnce("ignoring engine instance " + instance.getHost() + ":" + instance.getPort() + ": " + e.getMessage());
            }
        }
        return endpoints;
    }

    private void reportOnce(String problem) {
        if (reportedProblems.add(problem)) {
            log.warn(problem);
        }
    }

    @Override
    public void start() {
        polling = Flux.interval(Duration.ZERO, refresh)
                .onBackpressureDrop()
                .concatMap(tick -> refresh().onErrorResume(e -> {
                    log.warn("discovery refresh failed, keeping the last snapshot: {}", e.toString());
                    return Mono.empty();
                }))
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable p = polling;
        if (p != null) {
            p.dispose();
        }
        polling = null;
    }

    @Override
    public boolean isRunning() {
        return polling != null;
    }
}
