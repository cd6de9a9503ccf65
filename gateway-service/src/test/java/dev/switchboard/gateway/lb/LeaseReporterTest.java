package dev.switchboard.gateway.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.util.unit.DataSize;

import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.gateway.GatewayProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LeaseReporterTest {

    @Test
    void completionsReportedConcurrentlyFromManyThreadsAllReachTheScheduler() throws Exception {
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        SchedulerClient scheduler = mock(SchedulerClient.class);
        doAnswer(call -> {
            List<LeaseCompletion> batch = call.getArgument(0);
            batch.forEach(c -> delivered.add(c.leaseId()));
            return Mono.empty();
        }).when(scheduler).complete(anyList());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LeaseReporter reporter = new LeaseReporter(scheduler,
                new GatewayProperties(DataSize.ofMegabytes(8), 16, Duration.ofSeconds(1), 16, Duration.ofMillis(5), Duration.ofSeconds(60), 4096), meters);
        reporter.start();

        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    reporter.report(new LeaseCompletion("lease-" + thread + "-" + i, LeaseCompletion.Outcome.SUCCESS, 200,
                            -1, -1, -1, -1, 1));
                }
                return null;
            });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (delivered.size() < threads * perThread && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        reporter.stop();
        assertThat(delivered).hasSize(threads * perThread);
        assertThat(meters.get("switchboard_gateway_lease_completions_dropped").counter().count()).isZero();
    }

    @Test
    void aBatchTheSchedulerFailsOnceIsRetriedAndDelivered() throws Exception {
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        AtomicInteger calls = new AtomicInteger();
        SchedulerClient scheduler = mock(SchedulerClient.class);
        doAnswer(call -> {
            List<LeaseCompletion> batch = call.getArgument(0);
            // like WebClient's, every subscription is a new call; every other one fails the way a kept-alive
            // connection closed by the peer does
            return Mono.defer(() -> calls.incrementAndGet() % 2 == 1
                    ? Mono.error(new IOException("Connection prematurely closed BEFORE response"))
                    : Mono.fromRunnable(() -> batch.forEach(c -> delivered.add(c.leaseId()))));
        }).when(scheduler).complete(anyList());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LeaseReporter reporter = new LeaseReporter(scheduler, properties(), meters);
        for (int i = 0; i < 40; i++) {
            reporter.report(completion("lease-" + i));
        }
        reporter.flush().block(Duration.ofSeconds(5));

        assertThat(delivered).hasSize(40);
        assertThat(meters.get("switchboard_gateway_lease_completions_dropped").counter().count()).isZero();
    }

    @Test
    void aBatchTheSchedulerKeepsFailingIsDroppedAndCountedAfterTwoRetries() {
        AtomicInteger calls = new AtomicInteger();
        SchedulerClient scheduler = mock(SchedulerClient.class);
        doAnswer(call -> Mono.defer(() -> {
            calls.incrementAndGet();
            return Mono.error(new IOException("Connection refused"));
        })).when(scheduler).complete(anyList());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LeaseReporter reporter = new LeaseReporter(scheduler, properties(), meters);
        for (int i = 0; i < 10; i++) {
            reporter.report(completion("lease-" + i));
        }
        reporter.flush().block(Duration.ofSeconds(5));

        assertThat(calls).hasValue(3);
        assertThat(meters.get("switchboard_gateway_lease_completions_dropped").counter().count()).isEqualTo(10);
    }

    private static GatewayProperties properties() {
        return new GatewayProperties(DataSize.ofMegabytes(8), 16, Duration.ofSeconds(1), 16, Duration.ofMillis(5),
                Duration.ofSeconds(60), 4096);
    }

    private static LeaseCompletion completion(String id) {
        return new LeaseCompletion(id, LeaseCompletion.Outcome.SUCCESS, 200, -1, -1, -1, -1, 1);
    }
}
