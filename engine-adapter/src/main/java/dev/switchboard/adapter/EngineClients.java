package dev.switchboard.adapter;

import java.time.Duration;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.support.netty.EventLoopLocal;
import dev.switchboard.support.netty.ReadBatchCoalescer;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP clients towards engines and peer adapters: {@code relay} for the data plane's plain relay, with
 * a connection pool per event loop (see {@link EventLoopLocal}); {@code web} (a {@link WebClient})
 * for everything that reads or rewrites bodies (the disaggregated legs, scrapes, probes). The pools are
 * the adapter's own: Reactor Netty's default allows 16 connections per host with a short pending queue,
 * far below the concurrent streaming requests one engine serves. Both join the body pieces an engine's answer
 * brings in one read ({@link ReadBatchCoalescer}): a burst of tokens is relayed as one chunk, not one each.
 */
public record EngineClients(EventLoopLocal<HttpClient> relay, WebClient web) {

    public static EngineClients create(WebClient.Builder builder, AdapterProperties properties) {
        EventLoopLocal<HttpClient> relay = new EventLoopLocal<>(() -> client(pool(properties, "switchboard-relay"), properties),
                client -> client.configuration().connectionProvider().dispose());
        int maxInMemory = (int) Math.min(Integer.MAX_VALUE, properties.scrape().maxSize().toBytes());
        WebClient web = builder.clone()
                .clientConnector(new ReactorClientHttpConnector(client(pool(properties, "switchboard-engines"), properties)))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(maxInMemory))
                .build();
        return new EngineClients(relay, web);
    }

    /** Closes the relay's connections (Spring calls it when the context closes). */
    public void close() {
        relay.dispose();
    }

    private static ConnectionProvider pool(AdapterProperties properties, String name) {
        return ConnectionProvider.builder(name)
                .maxConnections(2048)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(properties.connectTimeout().plusSeconds(8))
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
    }

    private static HttpClient client(ConnectionProvider pool, AdapterProperties properties) {
        return ReadBatchCoalescer.install(HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis()));
    }
}
