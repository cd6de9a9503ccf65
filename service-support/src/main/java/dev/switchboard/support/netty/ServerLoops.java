package dev.switchboard.support.netty;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/** The event loops a service's HTTP server and clients run on, and which of them the calling thread is. */
final class ServerLoops {
    private final EventExecutor[] loops;

    /** Reactor Netty's shared loop resources, the ones Spring Boot's Netty server and Reactor Netty's clients use by default. */
    static ServerLoops shared() {
        return new ServerLoops(HttpResources.get().onServer(LoopResources.DEFAULT_NATIVE));
    }

    ServerLoops(EventLoopGroup group) {
        List<EventExecutor> all = new ArrayList<>();
        group.forEach(all::add);
        this.loops = all.toArray(EventExecutor[]::new);
    }

    /** The loop the calling thread runs, or {@code null} off these loops. */
    EventExecutor current() {
        for (EventExecutor loop : loops) {
            if (loop.inEventLoop()) {
                return loop;
            }
        }
        return null;
    }
}
