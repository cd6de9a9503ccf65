package dev.switchboard.adapter.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.codec.ServerSentEvent;

import dev.switchboard.adapter.AdapterJson;
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

@Timeout(10)
class EventHubTest {
    private static final EngineDescriptor DESCRIPTOR = new EngineDescriptor("decode-1", EngineRole.DECODE, EngineKind.VLLM,
            "m", List.of(), URI.create("http://127.0.0.1:8003"), "unknown", 1, 0, 16, 0, 0, 0, PdTransferKind.NONE, 0, "", "");
    private static final EndpointState STATE = new EndpointState(DESCRIPTOR,
            new LifecycleEvent("decode-1", LifecycleEvent.State.READY, 1, ""), null);

    private final AtomicLong nanos = new AtomicLong();

    /** A subscriber that takes only what the test asks for. */
    static final class Manual extends BaseSubscriber<ServerSentEvent<String>> {
        final List<ServerSentEvent<String>> got = new ArrayList<>();
        boolean completed;

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
            // no demand until the test requests
        }

        @Override
        protected void hookOnNext(ServerSentEvent<String> value) {
            got.add(value);
        }

        @Override
        protected void hookOnComplete() {
            completed = true;
        }

        List<String> types() {
            return got.stream().map(ServerSentEvent::event).toList();
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
        EventHub hub = new EventHub(AdapterJson.MAPPER, 64, nanos::get);
        List<ServerSentEvent<String>> got = new ArrayList<>();
        hub.subscribe(STATE).subscribe(got::add);
        hub.publishLoad(load(3));
        hub.publishKv(kv(0));
        hub.publishLifecycle(new LifecycleEvent("decode-1", LifecycleEvent.State.DRAINING, 2, "admin drain"));

        assertThat(got).extracting(ServerSentEvent::event)
                .containsExactly(AdapterEvents.STATE, AdapterEvents.LOAD, AdapterEvents.KV, AdapterEvents.LIFECYCLE);
        assertThat(AdapterJson.MAPPER.readValue(got.get(0).data(), EndpointState.class)).isEqualTo(STATE);
        assertThat(AdapterJson.MAPPER.readValue(got.get(1).data(), LoadReport.class)).isEqualTo(load(3));
        assertThat(AdapterJson.MAPPER.readValue(got.get(2).data(), KvEventBatch.class)).isEqualTo(kv(0));
    }

    @Test
    void aSlowSubscriberGetsTheLatestLoadAndEveryKvEventWithoutHoldingBackAFastOne() {
        EventHub hub = new EventHub(AdapterJson.MAPPER, 64, nanos::get);
        List<ServerSentEvent<String>> fast = new ArrayList<>();
        hub.subscribe(STATE).subscribe(fast::add);
        Manual slow = new Manual();
        hub.subscribe(STATE).subscribe(slow);

        for (int i = 1; i <= 100; i++) {
            hub.publishLoad(load(i));
            if (i % 10 == 0) {
                hub.publishKv(kv(i / 10 - 1));
            }
        }

        assertThat(fast).hasSize(1 + 100 + 10);
        assertThat(slow.got).isEmpty();
        slow.request(100);
        assertThat(slow.types()).containsExactly(AdapterEvents.STATE, "kv", "kv", "kv", "kv", "kv", "kv", "kv", "kv", "kv",
                "kv", AdapterEvents.LOAD);
        assertThat(AdapterJson.MAPPER.readValue(slow.got.get(11).data(), LoadReport.class).running()).isEqualTo(100);
        assertThat(hub.dropped(AdapterEvents.LOAD)).isEqualTo(99);
        assertThat(hub.dropped(AdapterEvents.KV)).isZero();
        assertThat(hub.subscribers()).isEqualTo(2);
    }

    @Test
    void aSubscriberThatCannotKeepUpWithKvEventsIsDisconnectedAndEveryLossIsCounted() {
        EventHub hub = new EventHub(AdapterJson.MAPPER, 16, nanos::get);
        List<ServerSentEvent<String>> fast = new ArrayList<>();
        hub.subscribe(STATE).subscribe(fast::add);
        Manual stuck = new Manual();
        hub.subscribe(STATE).subscribe(stuck);

        for (int i = 0; i < 20; i++) {
            hub.publishKv(kv(i));
        }

        assertThat(fast).hasSize(21);
        assertThat(stuck.completed).as("disconnected at the overflow, so it reconnects and gets the state again").isTrue();
        assertThat(stuck.got).isEmpty();
        // the state and 15 batches were queued, the 16th overflowed; later batches were no longer addressed to it
        assertThat(hub.dropped(AdapterEvents.KV)).isEqualTo(16);
        assertThat(hub.dropped(AdapterEvents.STATE)).isEqualTo(1);
        assertThat(hub.subscribers()).isEqualTo(1);
    }

    @Test
    void idleSubscribersGetHeartbeats() {
        EventHub hub = new EventHub(AdapterJson.MAPPER, 64, nanos::get);
        List<ServerSentEvent<String>> got = new ArrayList<>();
        hub.subscribe(STATE).subscribe(got::add);

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        hub.heartbeat(Duration.ofSeconds(5));
        assertThat(got).extracting(ServerSentEvent::event).containsExactly(AdapterEvents.STATE);

        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        hub.heartbeat(Duration.ofSeconds(5));
        assertThat(got).extracting(ServerSentEvent::event).containsExactly(AdapterEvents.STATE, AdapterEvents.HEARTBEAT);
        assertThat(got.get(1).data()).isEmpty();
    }

    @Test
    void cancelledSubscribersAreForgottenAndShutdownEndsEveryStream() {
        EventHub hub = new EventHub(AdapterJson.MAPPER, 64, nanos::get);
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
}
