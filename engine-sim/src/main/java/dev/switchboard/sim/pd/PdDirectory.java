package dev.switchboard.sim.pd;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Where the prefill and decode legs of a disaggregated request meet when both engines live in this
 * process. Real engines move KV over RDMA; here only the bookkeeping crosses: who holds the pinned
 * blocks, so the decode engine can tell the prefill engine to free them once it "has read" them.
 *
 * <ul>
 *   <li><b>vLLM / NIXL.</b> The prefill leg answers with {@code remote_engine_id} (its engine id) and
 *       {@code remote_request_id}; the decode leg, given those, calls {@link #release} after its transfer.
 *       An unknown engine id (another process) is fine: that engine frees the KV after its pickup timeout.</li>
 *   <li><b>SGLang bootstrap.</b> Both legs carry the same {@code bootstrap_room}; the prefill leg reports
 *       {@link #prefillDone} (or {@link #prefillFailed}) and the decode leg {@link #awaitPrefill awaits} the
 *       room, in either order.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class PdDirectory {
    /** Rooms nobody awaited are dropped after this long. */
    static final long ROOM_TTL_NANOS = Duration.ofMinutes(10).toNanos();

    private final Map<String, KvOwner> engines = new ConcurrentHashMap<>();
    private final Map<Long, Room> rooms = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    /** A directory whose room expiry uses {@code nanoTime}. */
    public PdDirectory(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** A directory on {@link System#nanoTime()}. */
    public PdDirectory() {
        this(System::nanoTime);
    }

    /** An engine that can free KV pinned for a prefill leg. */
    @FunctionalInterface
    public interface KvOwner {
        /** Frees the KV pinned for {@code requestId} (no-op if none). */
        void releaseKv(String requestId);
    }

    /**
     * KV a prefill leg computed and keeps for pickup.
     *
     * @param engineId     the prefill engine
     * @param requestId    its request id there
     * @param promptTokens prompt length
     */
    public record PrefilledKv(String engineId, String requestId, int promptTokens) {
    }

    /** Makes {@code engineId}'s pinned KV releasable from other engines of this process. */
    public void register(String engineId, KvOwner owner) {
        if (engines.putIfAbsent(engineId, owner) != null) {
            throw new IllegalArgumentException("engine '" + engineId + "' is already registered");
        }
    }

    /** Forgets an engine. */
    public void unregister(String engineId) {
        engines.remove(engineId);
    }

    /** Frees KV pinned on {@code engineId}; returns whether that engine is in this process. */
    public boolean release(String engineId, String requestId) {
        KvOwner owner = engineId == null ? null : engines.get(engineId);
        if (owner == null) {
            return false;
        }
        owner.releaseKv(requestId);
        return true;
    }

    /** Whether {@code engineId} lives in this process. */
    public Optional<KvOwner> engine(String engineId) {
        return Optional.ofNullable(engineId == null ? null : engines.get(engineId));
    }

    /** The prefill leg of {@code room} finished: its KV is ready for the decode leg. */
    public void prefillDone(long room, PrefilledKv kv) {
        room(room).sink.tryEmitValue(kv);
    }

    /** The prefill leg of {@code room} failed; the decode leg fails at once instead of waiting. */
    public void prefillFailed(long room, String message) {
        room(room).sink.tryEmitError(new IllegalStateException(message));
    }

    /**
     * The prefill result of {@code room}, whenever it comes; errors with a {@link TimeoutException} after
     * {@code timeout}, or with the prefill leg's failure.
     */
    public Mono<PrefilledKv> awaitPrefill(long room, Duration timeout) {
        // remove the room before the outcome reaches the caller (doFinally would run after it)
        return Mono.defer(() -> room(room).sink.asMono())
                .timeout(timeout)
                .doOnSuccess(kv -> rooms.remove(room))
                .doOnError(e -> rooms.remove(room))
                .doOnCancel(() -> rooms.remove(room));
    }

    /** Rooms held (tests). */
    int openRooms() {
        return rooms.size();
    }

    private Room room(long id) {
        long now = nanoTime.getAsLong();
        if (rooms.size() > 1024) {
            rooms.values().removeIf(r -> now - r.createdNanos > ROOM_TTL_NANOS);
        }
        return rooms.computeIfAbsent(id, k -> new Room(now));
    }

    /** One bootstrap room. */
    private static final class Room {
        final Sinks.One<PrefilledKv> sink = Sinks.one();
        final long createdNanos;

        Room(long createdNanos) {
            this.createdNanos = createdNanos;
        }
    }
}
