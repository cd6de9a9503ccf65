package dev.switchboard.adapter.events;

import static dev.switchboard.adapter.support.SseChunks.decode;
import static dev.switchboard.adapter.support.SseChunks.types;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.support.SseChunks;
import dev.switchboard.adapter.support.SseChunks.Event;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.EndpointState;
import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.KvEventBatch;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

@Timeout(10)
class EventHubTest {
    private static final EngineDescriptor DESCRIPTOR = new EngineDescriptor("decode-1", EngineRole.DECODE, EngineKind.VLLM,
            "m", List.of(), URI.create("http://127.0.0.1:8003"), "unknown", 1, 0, 16, 0, 0, 0, PdTransferKind.NONE, 0, "", "");
    private static final EndpointState STATE = new EndpointState(DESCRIPTOR,
            new LifecycleEvent("decode-1", LifecycleEvent.State.READY, 1, ""), null);

    private final AtomicLong nanos = new AtomicLong();

    private EventHub hub(int buffer) {
        return new EventHub(AdapterJson.MAPPER, buffer, nanos::get, Duration.ZERO, Schedulers.immediate());
    }

    /** A subscriber that takes only what the test asks for. */
    static final class Manual extends BaseSubscriber<byte[]> {
        final List<byte[]> got = new ArrayList<>();
        boolean completed;

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
            // no demand until the test requests
        }

        @Override
        protected void hookOnNext(byte[] value) {
            got.add(value);
        }

        @Override
        protected void hookOnComplete() {
            completed = true;
        }

        List<String> types() {
            return SseChunks.types(got);
        }
    }

    private static LoadReport load(int running) {
        return new LoadReport("decode-1", running, running, 0, 0.1, 0, 0, 0, 0, true, false);
    }

    private static KvEventBatch kv(long seq) {
        return new KvEventBatch("decode-1", seq, 0, List.of(KvEvent.cleared()));
    }

    @Test
    void stateComesFirstAndEveryEventIsOneJsonDocument() {
        EventHub hub = hub(64);
        List<byte[]> chunks = new ArrayList<>();
        hub.subscribe(STATE).subscribe(chunks::add);
        hub.publishLoad(load(3));
        hub.publishKv(kv(0));
        hub.publishLifecycle(new LifecycleEvent("decode-1", LifecycleEvent.State.DRAINING, 2, "admin drain"));

        List<Event> got = decode(chunks);
        assertThat(got).extracting(Event::type)
                .containsExactly(AdapterEvents.STATE, AdapterEvents.LOAD, AdapterEvents.KV, AdapterEvents.LIFECYCLE);
        assertThat(chunks).as("without linger every event leaves as soon as it is published").hasSize(4);
        assertThat(AdapterJson.MAPPER.readValue(got.get(0).data(), EndpointState.class)).isEqualTo(STATE);
        assertThat(AdapterJson.MAPPER.readValue(got.get(1).data(), LoadReport.class)).isEqualTo(load(3));
        assertThat(AdapterJson.MAPPER.readValue(got.get(2).data(), KvEventBatch.class)).isEqualTo(kv(0));
    }

    @Test
    void aSlowSubscriberGetsTheLatestLoadAndEveryKvEventWithoutHoldingBackAFastOne() {
        EventHub hub = hub(64);
        List<byte[]> fast = new ArrayList<>();
        hub.subscribe(STATE).subscribe(fast::add);
        Manual slow = new Manual();
        hub.subscribe(STATE).subscribe(slow);

        for (int i = 1; i <= 100; i++) {
            hub.publishLoad(load(i));
            if (i % 10 == 0) {
                hub.publishKv(kv(i / 10 - 1));
            }
        }

        assertThat(decode(fast)).hasSize(1 + 100 + 10);
        assertThat(slow.got).isEmpty();
        slow.request(1);
        assertThat(slow.types()).containsExactly(AdapterEvents.STATE, "kv", "kv", "kv", "kv", "kv", "kv", "kv", "kv", "kv",
                "kv", AdapterEvents.LOAD);
        assertThat(slow.got).as("everything waiting leaves in one write").hasSize(1);
        assertThat(AdapterJson.MAPPER.readValue(decode(slow.got).get(11).data(), LoadReport.class).running()).isEqualTo(100);
        assertThat(hub.dropped(AdapterEvents.LOAD)).isEqualTo(99);
        assertThat(hub.dropped(AdapterEvents.KV)).isZero();
        assertThat(hub.subscribers()).isEqualTo(2);
    }

    @Test
    void aSubscriberThatCannotKeepUpWithKvEventsIsDisconnectedAndEveryLossIsCounted() {
        EventHub hub = hub(16);
        List<byte[]> fast = new ArrayList<>();
        hub.subscribe(STATE).subscribe(fast::add);
        Manual stuck = new Manual();
        hub.subscribe(STATE).subscribe(stuck);

        for (int i = 0; i < 20; i++) {
            hub.publishKv(kv(i));
        }

        assertThat(decode(fast)).hasSize(21);
        assertThat(stuck.completed).as("disconnected at the overflow, so it reconnects and gets the state again").isTrue();
        assertThat(stuck.got).isEmpty();
        // the state and 15 batches were queued, the 16th overflowed; later batches were no longer addressed to it
        assertThat(hub.dropped(AdapterEvents.KV)).isEqualTo(16);
        assertThat(hub.dropped(AdapterEvents.STATE)).isEqualTo(1);
        assertThat(hub.subscribers()).isEqualTo(1);
    }

    @Test
    void idleSubscribersGetHeartbeats() {
        EventHub hub = hub(64);
        List<byte[]> got = new ArrayList<>();
        hub.subscribe(STATE).subscribe(got::add);

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        hub.heartbeat(Duration.ofSeconds(5));
        assertThat(types(got)).containsExactly(AdapterEvents.STATE);

        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        hub.heartbeat(Duration.ofSeconds(5));
        assertThat(types(got)).containsExactly(AdapterEvents.STATE, AdapterEvents.HEARTBEAT);
        assertThat(decode(got).get(1).data()).isEmpty();
    }

    @Test
    void cancelledSubscribersAreForgottenAndShutdownEndsEveryStream() {
        EventHub hub = hub(64);
        var gone = hub.subscribe(STATE).subscribe();
        Manual open = new Manual();
        hub.subscribe(STATE).subscribe(open);
        gone.dispose();
        assertThat(hub.subscribers()).isEqualTo(1);

        hub.completeAll();
        assertThat(open.completed).isTrue();
        assertThat(hub.subscribers()).isZero();
        Flux.empty().blockLast();
    }

    @Test
    void kvEventsLingerToShareOneWriteAndAnyOtherEventTakesThemAlongInOrder() {
        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        EventHub hub = new EventHub(AdapterJson.MAPPER, 64, nanos::get, Duration.ofMillis(10), timer);
        List<byte[]> chunks = new ArrayList<>();
        hub.subscribe(STATE).subscribe(chunks::add);
        assertThat(chunks).hasSize(1);

        hub.publishKv(kv(0));
        hub.publishKv(kv(1));
        timer.advanceTimeBy(Duration.ofMillis(9));
        assertThat(chunks).as("still lingering").hasSize(1);
        hub.publishKv(kv(2));
        timer.advanceTimeBy(Duration.ofMillis(1));
        assertThat(chunks).as("the three batches in one write, 10 ms after the first").hasSize(2);
        assertThat(decode(chunks).subList(1, 4)).extracting(e -> AdapterJson.MAPPER.readValue(e.data(), KvEventBatch.class).seq())
                .containsExactly(0L, 1L, 2L);

        hub.publishKv(kv(3));
        hub.publishLifecycle(new LifecycleEvent("decode-1", LifecycleEvent.State.DRAINING, 2, "admin drain"));
        assertThat(chunks).as("a lifecycle change does not wait, and takes the lingering batch first").hasSize(3);
        assertThat(types(List.of(chunks.get(2)))).containsExactly(AdapterEvents.KV, AdapterEvents.LIFECYCLE);

        timer.advanceTimeBy(Duration.ofMillis(10));
        hub.publishKv(kv(4));
        hub.publishLoad(load(7));
        assertThat(types(List.of(chunks.get(3)))).as("so does a load report").containsExactly(AdapterEvents.KV, AdapterEvents.LOAD);
        timer.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(chunks).as("nothing left over").hasSize(4);
        timer.dispose();
    }

    @Test
    void aChunkHoldsWholeFramesUpToItsBoundAndALargeFrameTravelsAlone() {
        EventHub hub = hub(4096);
        Manual slow = new Manual();
        hub.subscribe(STATE).subscribe(slow);
        long[] hashes = new long[20_000]; // ~140 KB of JSON: larger than a chunk's bound on its own
        hub.publishKv(new KvEventBatch("decode-1", 0, 0, List.of(new KvEvent(KvEvent.Kind.STORED, hashes, null, 16, "GPU",
                KvEvent.HashSpace.SWITCHBOARD))));
        for (int i = 1; i <= 2000; i++) {
            hub.publishKv(kv(i));
        }
        slow.request(Long.MAX_VALUE);

        assertThat(slow.got.get(0)).as("the state, then the large batch alone").hasSizeLessThan(EventChannel.MAX_CHUNK_BYTES);
        assertThat(types(List.of(slow.got.get(1)))).containsExactly(AdapterEvents.KV);
        assertThat(slow.got.get(1).length).isGreaterThan(EventChannel.MAX_CHUNK_BYTES);
        assertThat(slow.got.subList(2, slow.got.size())).allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(EventChannel.MAX_CHUNK_BYTES));
        assertThat(slow.got.size()).isGreaterThan(3);
        List<Event> events = decode(slow.got);
        assertThat(events).hasSize(1 + 1 + 2000);
        assertThat(events.subList(2, events.size())).extracting(e -> AdapterJson.MAPPER.readValue(e.data(), KvEventBatch.class).seq())
                .isSorted().doesNotHaveDuplicates().hasSize(2000);
    }
}
