package dev.switchboard.adapter.events;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.switchboard.contract.wire.AdapterEvents;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;

/**
 * One subscriber's outbox. Offers never block and never wait for the subscriber: load reports are
 * conflated (a subscriber that has not taken the previous one gets only the newest, and the replaced
 * one is counted as dropped), KV and lifecycle events are queued up to a bound; a subscriber whose
 * queue overflows is disconnected (every discarded event counted), so it reconnects, gets the full
 * state again and sees the gap in the KV batch sequence. Emission follows the subscriber's demand,
 * which Reactor Netty ties to the socket's writability.
 *
 * <p>What is queued when the subscriber can take more leaves as one chunk of frames, so one write
 * carries it. KV events may <em>linger</em>: the first one waits up to the linger delay for others to
 * join it (a busy engine publishes a batch per scheduler step, hundreds a second, and each write and
 * flush costs a wake-up here and in the scheduler); any other event sends them at once, in order.
 */
final class EventChannel {
    /** A chunk grows past this only by a single large frame (a reconnect's KV snapshot). */
    static final int MAX_CHUNK_BYTES = 64 * 1024;
    static final SseFrame HEARTBEAT = SseFrame.of(AdapterEvents.HEARTBEAT, new byte[0]);

    private final int capacity;
    private final Consumer<String> dropCounter;
    private final Runnable onClose;
    private final LongSupplier nanoTime;
    private final long lingerNanos;
    private final Scheduler timer;
    private final ArrayDeque<SseFrame> ordered = new ArrayDeque<>();
    private final AtomicInteger wip = new AtomicInteger();
    private SseFrame pendingLoad;
    private boolean pendingHeartbeat;
    private boolean lingering;
    private boolean lingerOver;
    private boolean overflowed;
    private volatile FluxSink<byte[]> sink;
    private volatile boolean closed;
    private volatile long lastSentNanos;

    /**
     * @param capacity    KV and lifecycle events held for this subscriber
     * @param dropCounter called with the event type of every event dropped for this subscriber
     * @param onClose     called once when the channel ends (subscriber gone, overflow or shutdown)
     * @param nanoTime    monotonic time source (for heartbeats)
     * @param kvLinger    how long a KV event may wait for others to share its write; zero sends each at once
     * @param timer       runs the end of a linger
     */
    EventChannel(int capacity, Consumer<String> dropCounter, Runnable onClose, LongSupplier nanoTime, Duration kvLinger,
            Scheduler timer) {
        this.capacity = capacity;
        this.dropCounter = dropCounter;
        this.onClose = onClose;
        this.nanoTime = nanoTime;
        this.lingerNanos = kvLinger.toNanos();
        this.timer = timer;
        this.lastSentNanos = nanoTime.getAsLong();
    }

    void attach(FluxSink<byte[]> sink) {
        this.sink = sink;
        sink.onRequest(n -> drain());
        sink.onDispose(this::closed);
        drain();
    }

    /** Queues a state or lifecycle event and sends what is queued; returns false if the channel is closed. */
    boolean offerOrdered(SseFrame frame) {
        return offer(frame, false);
    }

    /** Queues a KV event, sent within the linger delay; returns false if the channel is closed. */
    boolean offerKv(SseFrame frame) {
        return offer(frame, lingerNanos > 0);
    }

    private boolean offer(SseFrame frame, boolean linger) {
        boolean startLinger;
        synchronized (this) {
            if (closed || overflowed) {
                dropCounter.accept(frame.type());
                return false;
            }
            if (ordered.size() >= capacity) {
                overflowed = true;
                dropCounter.accept(frame.type());
                linger = false; // the subscriber is disconnected now
            } else {
                ordered.addLast(frame);
            }
            startLinger = linger && !lingering;
            lingering = linger; // any other event takes the lingering ones with it
        }
        if (!linger) {
            drain();
        } else if (startLinger) {
            try {
                timer.schedule(this::lingerEnded, lingerNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                lingerEnded();
            }
        }
        return true;
    }

    private void lingerEnded() {
        synchronized (this) {
            lingerOver = true; // sends what waits even if a new KV event started another linger meanwhile
        }
        drain();
    }

    /** Replaces the pending load report, if any (counted as dropped). */
    void offerLoad(SseFrame frame) {
        synchronized (this) {
            if (closed || overflowed) {
                return;
            }
            if (pendingLoad != null) {
                dropCounter.accept(AdapterEvents.LOAD);
            }
            pendingLoad = frame;
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
        FluxSink<byte[]> s = sink;
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
            FluxSink<byte[]> s = sink;
            if (s != null) {
                if (overflowedAndDiscard()) {
                    s.complete();
                    closed();
                    return;
                }
                while (s.requestedFromDownstream() > 0 && !s.isCancelled()) {
                    byte[] next = nextChunk();
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
            for (SseFrame f : ordered) {
                dropCounter.accept(f.type());
            }
            ordered.clear();
            if (pendingLoad != null) {
                dropCounter.accept(AdapterEvents.LOAD);
                pendingLoad = null;
            }
            return true;
        }
    }

    /**
     * The queued events in order, then the pending load report, as one chunk of frames; the heartbeat only
     * when there is nothing else. Null when nothing may be sent (nothing queued, or KV events lingering).
     */
    private synchronized byte[] nextChunk() {
        if (lingering && !lingerOver && pendingLoad == null && !pendingHeartbeat) {
            return null;
        }
        lingering = false;
        lingerOver = false;
        List<SseFrame> frames = new ArrayList<>();
        int size = 0;
        while (!ordered.isEmpty() && (frames.isEmpty() || size + ordered.peekFirst().bytes().length <= MAX_CHUNK_BYTES)) {
            size += add(frames, ordered.pollFirst());
        }
        if (ordered.isEmpty() && pendingLoad != null && (frames.isEmpty() || size + pendingLoad.bytes().length <= MAX_CHUNK_BYTES)) {
            size += add(frames, pendingLoad);
            pendingLoad = null;
        }
        if (frames.isEmpty() && pendingHeartbeat) {
            size += add(frames, HEARTBEAT);
        }
        pendingHeartbeat = false;
        return join(frames, size);
    }

    private static int add(List<SseFrame> frames, SseFrame frame) {
        frames.add(frame);
        return frame.bytes().length;
    }

    /** One frame is sent as it is (frames are shared and never written to); several are copied into one array. */
    private static byte[] join(List<SseFrame> frames, int size) {
        if (frames.isEmpty()) {
            return null;
        }
        if (frames.size() == 1) {
            return frames.get(0).bytes();
        }
        byte[] chunk = new byte[size];
        int at = 0;
        for (SseFrame frame : frames) {
            System.arraycopy(frame.bytes(), 0, chunk, at, frame.bytes().length);
            at += frame.bytes().length;
        }
        return chunk;
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
