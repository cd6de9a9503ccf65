package dev.switchboard.support.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.netty.channel.EventLoop;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class EventLoopLocalTest {
    private final EventLoopLocal<HttpClient> clients = new EventLoopLocal<>(
            () -> HttpClient.create(ConnectionProvider.builder("test").maxConnections(16).build()),
            client -> client.configuration().connectionProvider().dispose());
    private final DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
            .handle((req, res) -> res.sendString(Mono.just("ok"))).bindNow();

    @AfterEach
    void stop() {
        clients.dispose();
        server.disposeNow();
    }

    /** What makes the relay single-threaded: the engine connection lives on the loop serving the request. */
    @Test
    void aRequestMadeOnAnEventLoopGetsAConnectionOnThatLoopAndKeepsReusingIt() throws Exception {
        var group = HttpResources.get().onClient(LoopResources.DEFAULT_NATIVE);
        EventLoop first = group.next();
        EventLoop second = group.next();
        while (second == first) {
            second = group.next();
        }
        for (EventLoop loop : new EventLoop[] {first, second, first, second}) {
            assertThat(connectionLoopOfRequestMadeOn(loop)).isSameAs(loop);
        }
        assertThat(clients.on(first)).isSameAs(clients.on(first)).isNotSameAs(clients.on(second));
        assertThat(clients.on(null)).isNotNull().isNotSameAs(clients.on(first));
        assertThat(clients.onCurrentLoop()).as("off the loops").isSameAs(clients.on(null));
        assertThat(CompletableFuture.supplyAsync(clients::onCurrentLoop, first).get(5, TimeUnit.SECONDS))
                .isSameAs(clients.on(first));
    }

    private EventLoop connectionLoopOfRequestMadeOn(EventLoop loop) throws Exception {
        CompletableFuture<EventLoop> seen = new CompletableFuture<>();
        loop.execute(() -> clients.on(loop).get().uri("http://127.0.0.1:" + server.port() + "/")
                .responseConnection((response, connection) -> connection.inbound().receive().then(
                        Mono.just(connection.channel().eventLoop())))
                .next()
                .subscribe(seen::complete, seen::completeExceptionally));
        return seen.get(10, TimeUnit.SECONDS);
    }
}
