package dev.switchboard.adapter.events;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.springframework.http.codec.ServerSentEvent;

import dev.switchboard.contract.wire.AdapterEvents;
import reactor.core.publisher.FluxSink;

/**
 * One subscriber's outbox. Offers never block and never wait for the subscriber: load reports are
 * conflated (a subscriber that has not taken the previous one gets only the newest, and the replaced
 * one is counted as dropped), KV and lifecycle events are queued up to a bound; a subscriber whose
 * queue overflows is disconnected (every discarded event counted), so it reconnects, gets the full
 * state again and sees the gap in the KV batch sequence. Emission follows the subscriber's demand,
 * which Reactor Netty ties to the socket's writability.
 */
final class EventChannel {
    private final int capacity;
    private final Consumer<String> dropCounter;
    private final Runnable onClose;
    private final LongSupplier nanoTime;
    private final ArrayDeque<ServerSentEvent<String>> ordered = new ArrayDeque<>();
    private final AtomicInteger wip = new AtomicInteger();
    private ServerSentEvent<String> pendingLoad;
    private boolean pendingHeartbeat;
    private boolean overflowed;
    private volatile FluxSink<ServerSentEvent<String>> sink;
    private volatile boolean closed;
    private volatile long lastSentNanos;

    /**
     * @param capacity    KV and lifecycle events held for this subscriber
     * @param dropCounter called with the event type of every event dropped for this subscriber
     * @param onClose     called once when the channel ends (subscriber gone, overflow or shutdown)
     * @param nanoTime    monotonic time source (for heartbeats)
     */
    EventChannel(int capacity, Consumer<String> dropCounter, Runnable onClose, LongSupplier nanoTime) {
        this.capacity = capacity;
        this.dropCounter = dropCounter;
        this.onClose = onClose;
        this.nanoTime = nanoTime;
        this.lastSentNanos = nanoTime.getAsLong();
    }

    void attach(FluxSink<ServerSentEvent<String>> sink) {
        this.sink = sink;
        sink.onRequest(n -> drain());
        sink.onDispose(this::closed);
        drain();
    }

    /** Queues a state, KV or lifecycle event; returns false if the channel is closed. */
    boolean offerOrdered(ServerSentEvent<String> event) {
        synchronized (this) {
            if (closed || overflowed) {
                dropCounter.accept(event.event());
                return false;
            }
            if (ordered.size() >= capacity) {
                overflowed = true;
                dropCounter.accept(event.event());
            } else {
                ordered.addLast(event);
            }
        }
        drain();
        return true;
    }

    /** Replaces the pending load report, if any (counted as dropped). */
    void offerLoad(ServerSentEvent<String> event) {
        synchronized (this) {
            if (closed || overflowed) {
                return;
            }
            if (pendingLoad != null) {
                dropCounter.accept(AdapterEvents.LOAD);
            }
            pendingLoad = event;
        }
        drain();
    }

    /** Sends a heartbeat if nothing was sent since {@code idleSinceNanos}. */
    void heartbeatIfIdle(long idleSinceNanos) {
        synchronized (this) {
            if (closed || lastSentNanos - idleSinceNanos > 0) {
                return;
            }
            pendingHeartbeat = true;
        }
        drain();
    }

    /** Ends the stream (adapter shutting down). */
    void complete() {
        FluxSink<ServerSentEvent<String>> s = sink;
        if (s != null) {
            s.complete();
        }
        closed();
    }

    boolean isClosed() {
        return closed;
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            FluxSink<ServerSentEvent<String>> s = sink;
            if (s != null) {
                if (overflowedAndDiscard()) {
                    s.complete();
                    closed();
                    return;
                }
                while (s.requestedFromDownstream() > 0 && !s.isCancelled()) {
                    ServerSentEvent<String> next = poll();
                    if (next == null) {
                        break;
                    }
                    lastSentNanos = nanoTime.getAsLong();
                    s.next(next);
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private boolean overflowedAndDiscard() {
        synchronized (this) {
            if (!overflowed) {
                return false;
            }
            for (ServerSentEvent<String> e : ordered) {
                dropCounter.accept(e.event());
            }
            ordered.clear();
            if (pendingLoad != null) {
                dropCounter.accept(AdapterEvents.LOAD);
                pendingLoad = null;
            }
            return true;
        }
    }

    private synchronized ServerSentEvent<String> poll() {
        ServerSentEvent<String> e = ordered.pollFirst();
        if (e != null) {
            return e;
        }
        if (pendingLoad != null) {
            e = pendingLoad;
            pendingLoad = null;
            return e;
        }
        if (pendingHeartbeat) {
            pendingHeartbeat = false;
            return ServerSentEvent.<String>builder().event(AdapterEvents.HEARTBEAT).data("").build();
        }
        return null;
    }

    private void closed() {
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
        }
        if (first) {
            onClose.run();
        }
    }
}
