package dev.switchboard.adapter.engine;

import java.nio.LongBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.events.EventHub;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.wire.EndpointState;
import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.KvEventBatch;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import it.unimi.dsi.fastutil.longs.LongLinkedOpenHashSet;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Everything the adapter knows about one fronted engine right now, and the only place where it
 * changes: resolved descriptor, health, drain, lifecycle, latest load report, KV batch sequence and
 * in-flight requests. Every change that subscribers must see is published to the endpoint's
 * {@link EventHub} under the same lock that takes subscription snapshots, so a subscriber's first
 * {@code state} event and the events after it never contradict each other.
 *
 * <p>Lifecycle is derived, never set: {@code DEREGISTERED} if deregistered, else {@code DRAINING} if
 * draining, else {@code READY} if the engine's health check passes, else {@code UNHEALTHY}.
 */
public final class EngineEndpoint {
    private static final Logger log = LoggerFactory.getLogger(EngineEndpoint.class);

    private final AdapterProperties.Engine config;
    private final Clock clock;
    private final EventHub hub;
    private final Object lock = new Object();
    private final Sinks.One<EngineDescriptor> resolvedSink = Sinks.one();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final EngineStatus status = new EngineStatus();

    private volatile EngineDescriptor descriptor;
    private boolean healthy;
    private String healthDetail = "starting: engine not checked yet";
    private boolean draining;
    private boolean deregistered;
    private volatile LifecycleEvent lifecycle;
    private volatile LoadReport lastLoad;
    private long nextKvSeq;

    public EngineEndpoint(AdapterProperties.Engine config, Clock clock, EventHub hub) {
        this.config = Objects.requireNonNull(config);
        this.clock = clock;
        this.hub = hub;
        this.lifecycle = new LifecycleEvent(config.endpointId(), LifecycleEvent.State.UNHEALTHY, clock.millis(), healthDetail);
    }

    public String id() {
        return config.endpointId();
    }

    public AdapterProperties.Engine config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /** The published descriptor, or {@code null} while the engine's facts are still being read. */
    public EngineDescriptor descriptor() {
        return descriptor;
    }

    /** Completes once the descriptor is known. */
    public Mono<EngineDescriptor> resolved() {
        return resolvedSink.asMono();
    }

    public LifecycleEvent lifecycle() {
        return lifecycle;
    }

    public LoadReport lastLoad() {
        return lastLoad;
    }

    public EngineStatus status() {
        return status;
    }

    public EventHub hub() {
        return hub;
    }

    /** Runs {@code listener} after every descriptor or lifecycle change (registry publication). */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Sets the descriptor read from the engine; later calls are ignored (a descriptor is published once). */
    public void resolve(EngineDescriptor resolved) {
        synchronized (lock) {
            if (descriptor != null) {
                return;
            }
            descriptor = resolved.validate();
        }
        resolvedSink.tryEmitValue(resolved);
        log.info("engine '{}' resolved: {} {} at {}, kv block {} tokens, capacity {} tokens, gpu {} x{} ({} GiB)", id(),
                resolved.engineKind().wireName(), resolved.role().wireName(), resolved.engineUrl(), resolved.kvBlockSize(),
                resolved.kvCapacityTokens(), resolved.gpuType(), resolved.gpuCount(), resolved.gpuMemoryGib());
        fireChanged();
    }

    /** Records a health check result; an unhealthy engine is reported at once. */
    public void health(boolean ok, String detail) {
        boolean changed;
        synchronized (lock) {
            healthy = ok;
            healthDetail = ok ? "" : detail;
            changed = recomputeLifecycle(ok ? "engine healthy" : detail);
        }
        if (changed) {
            fireChanged();
        }
    }

    public boolean healthy() {
        synchronized (lock) {
            return healthy;
        }
    }

    public boolean draining() {
        synchronized (lock) {
            return draining;
        }
    }

    public boolean deregistered() {
        synchronized (lock) {
            return deregistered;
        }
    }

    /** Starts draining: no new requests should be sent here. Returns false if already draining. */
    public boolean startDrain(String why) {
        boolean changed;
        synchronized (lock) {
            if (draining) {
                return false;
            }
            draining = true;
            changed = recomputeLifecycle(why);
        }
        if (changed) {
            fireChanged();
        }
        return true;
    }

    /** Marks the endpoint as gone from the registry (end of a drain). */
    public void markDeregistered(String why) {
        boolean changed;
        synchronized (lock) {
            deregistered = true;
            changed = recomputeLifecycle(why);
        }
        if (changed) {
            fireChanged();
        }
    }

    /** Cancels a drain (and a deregistration): the endpoint takes requests again when healthy. */
    public void undrain(String why) {
        boolean changed;
        synchronized (lock) {
            draining = false;
            deregistered = false;
            changed = recomputeLifecycle(why);
        }
        if (changed) {
            fireChanged();
        }
    }

    /** Publishes a load report. */
    public void publishLoad(LoadReport report) {
        synchronized (lock) {
            lastLoad = report;
            hub.publishLoad(report);
        }
    }

    /**
     * Publishes KV events received from the engine. {@code lostBefore} engine batches were lost just
     * before these (ZeroMQ sequence gap): the adapter's batch sequence skips as many numbers, so every
     * subscriber sees the loss as a gap in {@link KvEventBatch#seq()}.
     */
    public KvEventBatch publishKv(List<KvEvent> events, long lostBefore) {
        synchronized (lock) {
            if (lostBefore > 0) {
                cachedBlocks.clear(); // what the engine holds is unknown until it is told again
            }
            events.forEach(this::track);
            nextKvSeq += Math.max(0, lostBefore);
            KvEventBatch batch = new KvEventBatch(id(), nextKvSeq++, clock.millis(), events);
            hub.publishKv(batch);
            return batch;
        }
    }

    /**
     * The event stream: {@code state} first (once the descriptor is known); then, when the engine
     * publishes Switchboard-space block hashes, one {@code kv} batch with every block it holds now
     * (a cache reset followed by the stored blocks), so a scheduler that (re)starts, or a second
     * replica, learns the engine's cache without waiting for new traffic; then live events. Each
     * element is one or more whole {@code text/event-stream} frames.
     */
    public Flux<byte[]> events() {
        return resolved().flatMapMany(d -> {
            synchronized (lock) {
                KvEventBatch snapshot = null;
                if (nextKvSeq > 0 && !cachedBlocks.isEmpty()) {
                    long[] hashes = cachedBlocks.toLongArray();
                    snapshot = new KvEventBatch(id(), nextKvSeq - 1, clock.millis(), List.of(KvEvent.cleared(),
                            new KvEvent(KvEvent.Kind.STORED, hashes, null, d.kvBlockSize(), "GPU", KvEvent.HashSpace.SWITCHBOARD)));
                }
                return hub.subscribe(new EndpointState(d, lifecycle, lastLoad), snapshot);
            }
        });
    }

    /** Follows the engine's Switchboard-space blocks, bounded by its KV capacity. */
    private void track(KvEvent event) {
        switch (event.kind()) {
            case CLEARED -> cachedBlocks.clear();
            case STORED -> {
                if (event.hashSpace() == KvEvent.HashSpace.SWITCHBOARD) {
                    LongBuffer hashes = event.blockHashView();
                    for (int i = 0; i < hashes.limit(); i++) {
                        cachedBlocks.addAndMoveToLast(hashes.get(i));
                    }
                    while (cachedBlocks.size() > MAX_TRACKED_BLOCKS) {
                        cachedBlocks.removeFirstLong();
                    }
                }
            }
            case REMOVED -> {
                LongBuffer hashes = event.blockHashView();
                for (int i = 0; i < hashes.limit(); i++) {
                    cachedBlocks.remove(hashes.get(i));
                }
            }
        }
    }

    /** Upper bound of blocks tracked for the reconnect snapshot (an 80 GB GPU holds about 60k blocks of 16). */
    private static final int MAX_TRACKED_BLOCKS = 1 << 20;
    /** Insertion-ordered, oldest first; a stored block moves to the end. Guarded by {@code lock}. */
    private final LongLinkedOpenHashSet cachedBlocks = new LongLinkedOpenHashSet();

    /** Counts a request entering the engine; pair with {@link #requestEnded()}. */
    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    public void requestEnded() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    private boolean recomputeLifecycle(String detail) {
        LifecycleEvent.State state = deregistered ? LifecycleEvent.State.DEREGISTERED
                : draining ? LifecycleEvent.State.DRAINING
                : healthy ? LifecycleEvent.State.READY
                : LifecycleEvent.State.UNHEALTHY;
        if (state == lifecycle.state()) {
            return false;
        }
        LifecycleEvent previous = lifecycle;
        lifecycle = new LifecycleEvent(id(), state, clock.millis(), detail);
        hub.publishLifecycle(lifecycle);
        if (state == LifecycleEvent.State.UNHEALTHY) {
            log.warn("engine '{}' {} -> {}: {}", id(), previous.state(), state, detail);
        } else {
            log.info("engine '{}' {} -> {}{}", id(), previous.state(), state, detail.isEmpty() ? "" : ": " + detail);
        }
        return true;
    }

    private void fireChanged() {
        listeners.forEach(Runnable::run);
    }
}
