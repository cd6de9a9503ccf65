package dev.switchboard.adapter.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.events.EventHub;
import dev.switchboard.adapter.support.SseChunks;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.KvEventBatch;
import reactor.core.scheduler.Schedulers;

/** A scheduler that connects (or reconnects) learns the engine's cached blocks at once. */
class KvSnapshotOnConnectTest {

    private static KvEvent stored(long... hashes) {
        return new KvEvent(KvEvent.Kind.STORED, hashes, null, 16, "GPU", KvEvent.HashSpace.SWITCHBOARD);
    }

    private static EngineEndpoint endpoint() {
        var config = dev.switchboard.adapter.support.Engines.engine(18071, "d1", EngineRole.DECODE, "http://127.0.0.1:18001");
        EngineEndpoint endpoint = new EngineEndpoint(config, Clock.systemUTC(), new EventHub(AdapterJson.MAPPER, 64, System::nanoTime,
                Duration.ZERO, Schedulers.immediate()));
        endpoint.resolve(new EngineDescriptor("d1", EngineRole.DECODE, EngineKind.VLLM, "llama-3-8b", List.of(),
                URI.create("http://127.0.0.1:18001"), "H100-80GB", 1, 80, 16, 430_000, 131_072, 32_768, PdTransferKind.NIXL, 0, "", ""));
        return endpoint;
    }

    /** The events in what the stream sends within 300 ms of subscribing. */
    private static List<SseChunks.Event> firstEvents(EngineEndpoint endpoint) {
        return SseChunks.decode(endpoint.events().take(Duration.ofMillis(300)).collectList().block(Duration.ofSeconds(5)));
    }

    @Test
    void aNewSubscriberGetsTheCurrentBlocksRightAfterState() {
        EngineEndpoint endpoint = endpoint();
        endpoint.publishKv(List.of(stored(1, 2, 3)), 0);
        endpoint.publishKv(List.of(new KvEvent(KvEvent.Kind.REMOVED, new long[] {2}, null, 16, "GPU",
                KvEvent.HashSpace.SWITCHBOARD), stored(4)), 0);

        List<SseChunks.Event> events = firstEvents(endpoint);
        assertThat(events).extracting(SseChunks.Event::type).containsExactly("state", "kv");
        KvEventBatch snapshot = AdapterJson.MAPPER.readValue(events.get(1).data(), KvEventBatch.class);
        assertThat(snapshot.seq()).as("continues the live sequence without a gap").isEqualTo(1);
        assertThat(snapshot.events().get(0).kind()).isEqualTo(KvEvent.Kind.CLEARED);
        assertThat(snapshot.events().get(1).blockHashes()).containsExactly(1, 3, 4);
    }

    @Test
    void engineSpaceHashesAndLostEventsAreNotReplayed() {
        EngineEndpoint endpoint = endpoint();
        endpoint.publishKv(List.of(new KvEvent(KvEvent.Kind.STORED, new long[] {9}, null, 16, "GPU", KvEvent.HashSpace.ENGINE)), 0);
        assertThat(firstEvents(endpoint)).extracting(SseChunks.Event::type).containsExactly("state");
        endpoint.publishKv(List.of(stored(5)), 0);
        endpoint.publishKv(List.of(), 3); // lost batches: what the engine holds is unknown
        assertThat(firstEvents(endpoint)).extracting(SseChunks.Event::type).containsExactly("state");
    }
}
