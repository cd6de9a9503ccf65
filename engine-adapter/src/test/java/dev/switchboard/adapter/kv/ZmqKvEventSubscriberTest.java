package dev.switchboard.adapter.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.support.Engines;
import dev.switchboard.adapter.support.SseChunks;
import dev.switchboard.adapter.support.FakeEngine;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.KvEventBatch;
import reactor.core.Disposable;

/**
 * A real JeroMQ PUB socket plays the engine's {@code ZmqEventPublisher}; the adapter's subscriber
 * receives both encodings and forwards them on the endpoint's event stream.
 */
@Timeout(60)
class ZmqKvEventSubscriberTest {
    private ZContext publisherContext;
    private ZmqKvEventSubscriber subscriber;
    private Disposable stream;

    @AfterEach
    void tearDown() {
        if (stream != null) {
            stream.dispose();
        }
        if (subscriber != null) {
            subscriber.close();
        }
        if (publisherContext != null) {
            publisherContext.close();
        }
    }

    @Test
    void batchesInBothEncodingsArriveInOrderAndSequenceGapsAndRestartsAreVisible() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        publisherContext = new ZContext();
        ZMQ.Socket pub = publisherContext.createSocket(SocketType.PUB);
        pub.bind("tcp://127.0.0.1:" + port); // vLLM binds "tcp://*:5557" by default; the adapter connects

        AdapterProperties props = Engines.adapter(Engines.engine(18099, "decode-1", EngineRole.DECODE,
                AdapterProperties.EngineKindSetting.VLLM, "http://127.0.0.1:1", PdTransferKind.NONE, "tcp://127.0.0.1:" + port));
        EngineEndpoint endpoint = new EngineFleet(props, Clock.systemUTC(), AdapterJson.MAPPER).endpoints().get(0);
        endpoint.resolve(endpoint.config().descriptor(EngineKind.VLLM, 16, 0, 0, "unknown", 1, 0));
        List<KvEventBatch> received = new CopyOnWriteArrayList<>();
        stream = endpoint.events()
                .flatMapIterable(chunk -> SseChunks.decode(List.of(chunk))) // a chunk holds whole frames
                .filter(e -> AdapterEvents.KV.equals(e.type()))
                .map(e -> AdapterJson.MAPPER.readValue(e.data(), KvEventBatch.class))
                .subscribe(received::add);
        subscriber = new ZmqKvEventSubscriber(endpoint, new MsgpackKvEventDecoder(KvEvent.HashSpace.ENGINE));
        subscriber.start();

        // ZeroMQ drops messages sent before the subscription has propagated: publish a warm-up
        // batch until one arrives (seq 0, then 1, ...), then the real ones continue the sequence
        long seq = 0;
        while (received.isEmpty()) {
            send(pub, seq++, KvPayloads.batch(1, KvPayloads::positionalCleared));
            Thread.sleep(20);
            // normally well under a second; the bound only matters on a starved CI machine
            assertThat(seq).as("subscriber connected").isLessThan(1500);
        }
        FakeEngine.await(() -> endpoint.status().kv.batches() == countOf(received) && !received.isEmpty(), Duration.ofSeconds(5),
                "warm-up batches");
        int before = received.size();
        long firstAdapterSeq = received.get(before - 1).seq() + 1;

        send(pub, seq++, KvPayloads.batch(1, p -> KvPayloads.positionalStored(p, List.of(1L, 2L), null, "GPU")));
        send(pub, seq++, KvPayloads.batch(1, p -> KvPayloads.keyedStored(p, KvPayloads.BIG_HASH, 2L)));
        seq += 2; // two batches lost between publisher and adapter
        send(pub, seq++, KvPayloads.batch(1, p -> KvPayloads.positionalRemoved(p, List.of(1L))));
        send(pub, 0, KvPayloads.batch(1, p -> KvPayloads.keyedStored(p, java.math.BigInteger.TEN, null))); // engine restarted

        FakeEngine.await(() -> received.size() == before + 4, Duration.ofSeconds(5), "four forwarded batches");
        List<KvEventBatch> batches = received.subList(before, before + 4);
        assertThat(batches).extracting(KvEventBatch::seq)
                .containsExactly(firstAdapterSeq, firstAdapterSeq + 1, firstAdapterSeq + 4, firstAdapterSeq + 5);
        assertThat(batches.get(0).events()).containsExactly(
                new KvEvent(KvEvent.Kind.STORED, new long[] {1, 2}, null, 16, "GPU", KvEvent.HashSpace.ENGINE));
        assertThat(batches.get(1).events().get(0).blockHashes()).containsExactly(KvPayloads.BIG_HASH.longValue());
        assertThat(batches.get(2).events().get(0).kind()).isEqualTo(KvEvent.Kind.REMOVED);
        assertThat(batches.get(3).events()).extracting(KvEvent::kind).containsExactly(KvEvent.Kind.CLEARED, KvEvent.Kind.STORED);
        assertThat(batches).allMatch(b -> b.endpointId().equals("decode-1"));
        assertThat(endpoint.status().kv.gaps()).isEqualTo(1);
        assertThat(endpoint.status().kv.lostBatches()).isEqualTo(2);
        assertThat(endpoint.status().kv.view().publisherRestarts()).isEqualTo(1);

        // an undecodable batch is not silently skipped: it shows as a gap
        send(pub, 1, new byte[] {(byte) 0xc1});
        send(pub, 2, KvPayloads.batch(1, KvPayloads::keyedCleared));
        FakeEngine.await(() -> received.size() == before + 6, Duration.ofSeconds(5), "gap marker and next batch");
        // seq +6 never arrives (that was the undecodable batch): an empty batch at +7 marks the gap
        assertThat(received.get(before + 4).seq()).isEqualTo(firstAdapterSeq + 7);
        assertThat(received.get(before + 4).events()).isEmpty();
        assertThat(received.get(before + 5).seq()).isEqualTo(firstAdapterSeq + 8);
        assertThat(endpoint.status().kv.malformed()).isEqualTo(1);
    }

    private static long countOf(List<KvEventBatch> received) {
        return received.size();
    }

    private static void send(ZMQ.Socket pub, long seq, byte[] payload) {
        pub.sendMore("kv@127.0.0.1@llama-3-8b".getBytes(StandardCharsets.UTF_8));
        pub.sendMore(ByteBuffer.allocate(8).putLong(seq).array());
        pub.send(payload);
    }
}
