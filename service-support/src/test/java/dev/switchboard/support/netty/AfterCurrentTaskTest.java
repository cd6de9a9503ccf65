package dev.switchboard.support.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.netty.channel.EventLoop;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AfterCurrentTaskTest {
    private final AfterCurrentTask after = new AfterCurrentTask();

    @Test
    void onAServerLoopTheWorkRunsOnThatLoopOnceTheTaskInProgressEnds() throws Exception {
        EventLoop loop = HttpResources.get().onServer(LoopResources.DEFAULT_NATIVE).next();
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            after.execute(() -> {
                order.add("work on " + (loop.inEventLoop() ? "the same loop" : Thread.currentThread().getName()));
                done.countDown();
            });
            order.add("answer written");
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(order).containsExactly("answer written", "work on the same loop");
    }

    @Test
    void offTheLoopsTheWorkRunsAtOnceOnTheCaller() {
        List<String> order = new CopyOnWriteArrayList<>();
        Thread caller = Thread.currentThread();
        after.execute(() -> order.add(Thread.currentThread() == caller ? "at once on the caller" : "elsewhere"));
        order.add("after execute");
        assertThat(order).containsExactly("at once on the caller", "after execute");
    }
}
