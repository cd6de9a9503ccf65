package dev.switchboard.adapter.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.context.SmartLifecycle;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.discovery.GpuFacts;
import dev.switchboard.adapter.discovery.GpuProbe;
import dev.switchboard.adapter.observability.AdapterMetrics;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Starts one {@link EngineWatcher} per engine after the listeners are open, and the event-stream
 * heartbeats; stops them before the listeners close.
 */
public class EngineMonitors implements SmartLifecycle {
    /** After the listeners (which must be open when the engines are first announced), before registration. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 500;

    private final EngineFleet fleet;
    private final AdapterProperties properties;
    private final List<EngineWatcher> watchers = new ArrayList<>();
    private final WebClient client;
    private final AdapterMetrics metrics;
    private final Mono<Optional<GpuFacts>> gpu;
    private Disposable heartbeats;

    public EngineMonitors(EngineFleet fleet, AdapterProperties properties, WebClient client, AdapterMetrics metrics,
            GpuProbe gpuProbe) {
        this.fleet = fleet;
        this.properties = properties;
        this.client = client;
        this.metrics = metrics;
        // nvidia-smi runs once, off the event loops, when the first engine is resolved
        this.gpu = Mono.fromCallable(gpuProbe::detect).subscribeOn(Schedulers.boundedElastic()).cache();
    }

    @Override
    public synchronized void start() {
        for (EngineEndpoint endpoint : fleet.endpoints()) {
            EngineWatcher watcher = new EngineWatcher(endpoint, client, properties, gpu, metrics);
            watchers.add(watcher);
            watcher.start();
        }
        Duration beat = properties.events().heartbeatInterval();
        heartbeats = Flux.interval(beat.dividedBy(2), beat.dividedBy(2))
                .subscribe(tick -> fleet.endpoints().forEach(e -> e.hub().heartbeat(beat)));
    }

    @Override
    public synchronized void stop() {
        watchers.forEach(EngineWatcher::stop);
        watchers.clear();
        if (heartbeats != null) {
            heartbeats.dispose();
            heartbeats = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return !watchers.isEmpty();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The running watchers (for status and tests). */
    public synchronized List<EngineWatcher> watchers() {
        return List.copyOf(watchers);
    }
}
