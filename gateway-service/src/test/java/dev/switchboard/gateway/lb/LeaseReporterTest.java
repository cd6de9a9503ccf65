package dev.switchboard.gateway.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
                new GatewayProperties(DataSize.ofMegabytes(8), 16, Duration.ofSeconds(1), 16, Duration.ofMillis(5), Duration.ofSeconds(60)), meters);
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
}
