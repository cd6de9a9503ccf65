package dev.switchboard.adapter.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.EndpointState;
import dev.switchboard.contract.wire.KvEventBatch;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fan-out of one endpoint's events to any number of event-stream subscribers
 * ({@link AdapterEvents}), as chunks of {@code text/event-stream} bytes. Each event is serialised and
 * framed once and shared by all subscribers; each subscriber has its own {@link EventChannel}, so a slow
 * one never blocks the others or the publisher.
 *
 * <p>Callers serialise {@code publish*} and {@link #subscribe} on one lock (the endpoint's), which is
 * what makes the {@code state} event a subscriber receives first consistent with what follows it.
 */
public final class EventHub {
    private final JsonMapper json;
    private final int capacity;
    private final LongSupplier nanoTime;
    private final Duration kvLinger;
    private final Scheduler timer;
    private final List<EventChannel> channels = new CopyOnWriteArrayList<>();
    private final Map<String, LongAdder> drops = new ConcurrentHashMap<>();

    /**
     * @param subscriberBuffer KV and lifecycle events queued for one subscriber before it is disconnected
     * @param nanoTime         monotonic time source (for heartbeats)
     * @param kvLinger         how long a KV event may wait for others to share its write (zero: none)
     * @param timer            ends the lingers
     */
    public EventHub(JsonMapper json, int subscriberBuffer, LongSupplier nanoTime, Duration kvLinger, Scheduler timer) {
        this.json = json;
        this.capacity = subscriberBuffer;
        this.nanoTime = nanoTime;
        this.kvLinger = kvLinger;
        this.timer = timer;
        for (String type : List.of(AdapterEvents.STATE, AdapterEvents.LOAD, AdapterEvents.KV, AdapterEvents.LIFECYCLE)) {
            drops.put(type, new LongAdder());
        }
    }

    /**
     * A new subscriber whose first event is {@code state}. The channel is registered before this returns,
     * so nothing published after the state snapshot is missed. Call with the endpoint lock held.
     */
    public Flux<byte[]> subscribe(EndpointState state) {
        return subscribe(state, null);
    }

    /** As {@link #subscribe(EndpointState)}, with {@code kvSnapshot} (if not null) sent right after {@code state}. */
    public Flux<byte[]> subscribe(EndpointState state, KvEventBatch kvSnapshot) {
        EventChannel[] holder = new EventChannel[1];
        EventChannel channel = new EventChannel(capacity, this::countDrop, () -> channels.remove(holder[0]), nanoTime, kvLinger,
                timer);
        holder[0] = channel;
        channel.offerOrdered(event(AdapterEvents.STATE, state));
        if (kvSnapshot != null) {
            channel.offerOrdered(event(AdapterEvents.KV, kvSnapshot));
        }
        channels.add(channel);
        return Flux.create(channel::attach);
    }

    /** Publishes a load report (conflated per subscriber). */
    public void publishLoad(LoadReport report) {
        if (channels.isEmpty()) {
            return;
        }
        SseFrame e = event(AdapterEvents.LOAD, report);
        channels.forEach(c -> c.offerLoad(e));
    }

    /** Publishes a KV event batch (queued per subscriber, sent within the linger delay). */
    public void publishKv(KvEventBatch batch) {
        if (channels.isEmpty()) {
            return;
        }
        SseFrame e = event(AdapterEvents.KV, batch);
        channels.forEach(c -> c.offerKv(e));
    }

    /** Publishes a lifecycle change (queued per subscriber). */
    public void publishLifecycle(LifecycleEvent lifecycle) {
        if (channels.isEmpty()) {
            return;
        }
        SseFrame e = event(AdapterEvents.LIFECYCLE, lifecycle);
        channels.forEach(c -> c.offerOrdered(e));
    }

    /** Sends a heartbeat to every subscriber that was sent nothing for {@code idle}. */
    public void heartbeat(Duration idle) {
        long idleSince = nanoTime.getAsLong() - idle.toNanos();
        channels.forEach(c -> c.heartbeatIfIdle(idleSince));
    }

    /** Ends every stream (shutdown). */
    public void completeAll() {
        channels.forEach(EventChannel::complete);
        channels.clear();
    }

    public int subscribers() {
        return channels.size();
    }

    /** Events of {@code type} dropped for slow subscribers so far. */
    public long dropped(String type) {
        LongAdder adder = drops.get(type);
        return adder == null ? 0 : adder.sum();
    }

    private void countDrop(String type) {
        drops.computeIfAbsent(type, t -> new LongAdder()).increment();
    }

    private SseFrame event(String type, Object data) {
        return SseFrame.of(type, json.writeValueAsBytes(data));
    }
}
