package dev.switchboard.support.netty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/**
 * One value per Netty event loop, made on first use: here, HTTP clients each with a connection pool of
 * their own. A request served on event loop L that takes its upstream connection from L's pool keeps all
 * of its work on L, because Reactor Netty opens a new connection on the event loop that asks for it (its
 * loop resources colocate clients with the calling loop). With one shared pool, a request reuses
 * whichever idle connection comes first, most often one on another loop, and every buffer then crosses
 * threads (a task queued, the other loop woken up). Proxies such as Envoy and nginx keep upstream
 * connections worker-local for the same reason. Measured in docs/benchmarks.md (session 5).
 *
 * @param <T> the value, e.g. a Reactor Netty {@code HttpClient} over its own {@code ConnectionProvider}
 */
public final class EventLoopLocal<T> {
    private final Supplier<T> create;
    private final Consumer<T> dispose;
    private final EventExecutor[] loops;
    private final T offLoop;
    private final Map<EventLoop, T> byLoop = new ConcurrentHashMap<>();
    private final List<T> created = new CopyOnWriteArrayList<>();

    /**
     * Values per loop of Reactor Netty's shared loop resources, the ones Spring Boot's Netty server and
     * Reactor Netty's clients run on by default.
     *
     * @param create  a new value (called once per event loop, and once for callers off any event loop)
     * @param dispose releases a value (by {@link #dispose()})
     */
    public EventLoopLocal(Supplier<T> create, Consumer<T> dispose) {
        this(HttpResources.get().onServer(LoopResources.DEFAULT_NATIVE), create, dispose);
    }

    EventLoopLocal(EventLoopGroup group, Supplier<T> create, Consumer<T> dispose) {
        this.create = create;
        this.dispose = dispose;
        List<EventExecutor> all = new ArrayList<>();
        group.forEach(all::add);
        this.loops = all.toArray(EventExecutor[]::new);
        this.offLoop = make();
    }

    /** The value of {@code loop}; {@code null} (a caller off any loop) gets a shared one. */
    public T on(EventLoop loop) {
        if (loop == null) {
            return offLoop;
        }
        T value = byLoop.get(loop);
        return value != null ? value : byLoop.computeIfAbsent(loop, l -> make());
    }

    /** The value of the event loop the calling thread runs, or the shared one off the loops. */
    public T onCurrentLoop() {
        for (EventExecutor loop : loops) {
            if (loop.inEventLoop()) {
                return on((EventLoop) loop);
            }
        }
        return offLoop;
    }

    /** Releases every value made. */
    public void dispose() {
        created.forEach(dispose);
    }

    private T make() {
        T value = create.get();
        created.add(value);
        return value;
    }
}
