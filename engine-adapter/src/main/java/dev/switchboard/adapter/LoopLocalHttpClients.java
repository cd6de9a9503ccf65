package dev.switchboard.adapter;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

import io.netty.channel.EventLoop;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * HTTP clients with one connection pool per event loop, for relaying. A request served on event loop L
 * takes its engine connection from L's pool, and Reactor Netty opens a new connection on the event loop
 * that asks for it (its loop resources colocate clients), so every buffer of the relayed request and
 * answer stays on L. With one shared pool, a request reuses whichever idle connection comes first, most
 * often one on another loop, and each relayed buffer then crosses threads (a task queued, the other loop
 * woken): on the 2-core test machine that was about a third of the relay's CPU (AdapterLatencyProbe,
 * docs/benchmarks.md). Proxies such as Envoy and nginx keep upstream connections worker-local for the
 * same reason.
 */
public final class LoopLocalHttpClients {
    private final Supplier<ConnectionProvider> newPool;
    private final Function<ConnectionProvider, HttpClient> newClient;
    private final HttpClient offLoop;
    private final Map<EventLoop, HttpClient> byLoop = new ConcurrentHashMap<>();
    private final List<ConnectionProvider> pools = new CopyOnWriteArrayList<>();

    /**
     * @param newPool   a new, empty connection pool (called once per event loop, and once for callers off
     *                  any event loop)
     * @param newClient the client over a pool
     */
    public LoopLocalHttpClients(Supplier<ConnectionProvider> newPool, Function<ConnectionProvider, HttpClient> newClient) {
        this.newPool = newPool;
        this.newClient = newClient;
        this.offLoop = clientOverNewPool();
    }

    /** The client whose connections live on {@code loop}; {@code null} (a caller off any loop) gets a shared one. */
    public HttpClient on(EventLoop loop) {
        if (loop == null) {
            return offLoop;
        }
        HttpClient client = byLoop.get(loop);
        return client != null ? client : byLoop.computeIfAbsent(loop, l -> clientOverNewPool());
    }

    /** Closes every pool's connections. */
    public void dispose() {
        pools.forEach(ConnectionProvider::dispose);
    }

    private HttpClient clientOverNewPool() {
        ConnectionProvider pool = newPool.get();
        pools.add(pool);
        return newClient.apply(pool);
    }
}
