package dev.switchboard.adapter;

import java.time.Duration;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP clients towards engines and peer adapters, sharing one connection pool: {@code http} for the
 * data plane's plain relay, {@code web} (a {@link WebClient} over the same {@code http}) for everything
 * that reads or rewrites bodies (the disaggregated legs, scrapes, probes). The pool is the adapter's own:
 * Reactor Netty's default allows 16 connections per host with a short pending queue, far below the
 * concurrent streaming requests one engine serves.
 */
public record EngineClients(HttpClient http, WebClient web) {

    public static EngineClients create(WebClient.Builder builder, AdapterProperties properties) {
        ConnectionProvider pool = ConnectionProvider.builder("switchboard-engines")
                .maxConnections(2048)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(properties.connectTimeout().plusSeconds(8))
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        HttpClient http = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis());
        int maxInMemory = (int) Math.min(Integer.MAX_VALUE, properties.scrape().maxSize().toBytes());
        WebClient web = builder.clone()
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(maxInMemory))
                .build();
        return new EngineClients(http, web);
    }
}
