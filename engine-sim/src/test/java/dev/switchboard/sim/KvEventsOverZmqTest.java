package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.prompt.PromptText;

/**
 * KV events as a real ZeroMQ subscriber sees them: 3 frames [topic, 8-byte big-endian seq from 0, msgpack
 * batch], BlockStored carrying exactly the prompt's Switchboard block hashes, AllBlocksCleared after a reset;
 * vLLM's bind-or-connect rule, the map encoding and the replay ROUTER.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvEventsOverZmqTest {
    private static final String TOPIC = "kv@127.0.0.1@llama-3-8b";

    /** One received message. */
    private record Message(String topic, long seq, Value batch) {
        List<Value> events() {
            return batch.asArrayValue().get(1).asArrayValue().list();
        }
    }

    private static Message receive(ZMQ.Socket sub) throws Exception {
        byte[] topic = sub.recv();
        assertThat(topic).as("a message within the receive timeout").isNotNull();
        return receiveRest(sub, topic);
    }

    /** The remaining frames of a message whose topic frame was received. */
    private static Message receiveRest(ZMQ.Socket sub, byte[] topic) throws Exception {
        assertThat(sub.hasReceiveMore()).isTrue();
        byte[] seq = sub.recv();
        assertThat(seq).hasSize(8);
        assertThat(sub.hasReceiveMore()).isTrue();
        byte[] payload = sub.recv();
        assertThat(sub.hasReceiveMore()).isFalse();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            return new Message(new String(topic, StandardCharsets.UTF_8), ByteBuffer.wrap(seq).getLong(), u.unpackValue());
        }
    }

    /**
     * ZeroMQ drops what a PUB sends before a subscriber's subscription reached it, and a socket only processes
     * its pending connections when its owner calls it: so poll the SUB for a while before any event is sent.
     */
    private static void settle(ZMQ.Socket sub) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            assertThat(sub.recv(ZMQ.DONTWAIT)).as("no event before the test sends a request").isNull();
            Thread.sleep(10);
        }
    }

    /** A message and the prompt it was published for. */
    private record Heard(Message message, String prompt) {
    }

    /**
     * Sends fresh prompts (each makes the engine publish exactly one batch) until the subscriber hears one, and
     * returns it with the prompt its sequence number says it was for. A PUB drops what it sends before the
     * subscription reached it (the slow joiner), and a CI machine running other builds can delay that for seconds,
     * so no fixed wait is enough: bounded by time, not attempts.
     */
    private static Heard firstHeard(SimFixture sim, ZMQ.Socket sub, String cacheSalt, String base) throws Exception {
        List<String> sent = new ArrayList<>();
        sub.setReceiveTimeOut(2_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (sent.size() < 99 && System.nanoTime() < deadline) {
            String prompt = String.format("%02d", sent.size()) + base.substring(2);
            String salt = cacheSalt == null ? "" : "\"cache_salt\":\"" + cacheSalt + "\",";
            var posted = sim.post(sim.url(0, "/v1/completions"),
                    "{\"model\":\"llama-3-8b\",\"max_tokens\":1," + salt + "\"prompt\":\"" + prompt + "\"}");
            assertThat(posted.statusCode()).isEqualTo(200);
            sent.add(prompt);
            byte[] topic = sub.recv();
            if (topic != null) {
                Message m = receiveRest(sub, topic);
                assertThat(m.seq()).as("one batch per prompt, numbered from 0").isBetween(0L, sent.size() - 1L);
                return new Heard(m, sent.get((int) m.seq()));
            }
        }
        throw new AssertionError("no KV event within 40 s of " + sent.size() + " fresh prompts");
    }

    private ZMQ.Socket replaySocket;

    /**
     * Sends a replay request {@code ["", start_seq]} from a DEALER and returns the first answer's frames. On this
     * shared 2-core machine a request was occasionally never delivered to the ROUTER (cause not found; the
     * publisher polls it every 10 ms), so a client that hears nothing retries from a fresh socket, as a real
     * consumer would.
     */
    private List<byte[]> askReplay(ZContext zmq, int replayPort, long start) {
        for (int attempt = 0; attempt < 3; attempt++) {
            replaySocket = zmq.createSocket(SocketType.DEALER);
            replaySocket.setReceiveTimeOut(3_000);
            replaySocket.connect("tcp://127.0.0.1:" + replayPort);
            replaySocket.sendMore(new byte[0]);
            replaySocket.send(ByteBuffer.allocate(8).putLong(start).array());
            List<byte[]> frames = receiveAll(replaySocket);
            if (frames.get(0) != null) {
                return frames;
            }
            zmq.destroySocket(replaySocket);
        }
        throw new AssertionError("no answer to 3 replay requests");
    }

    private static List<byte[]> receiveAll(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>();
        do {
            frames.add(socket.recv());
        } while (socket.hasReceiveMore());
        return frames;
    }

    private static long[] hashes(Value array) {
        return array.asArrayValue().list().stream().mapToLong(v -> v.asIntegerValue().toBigInteger().longValue()).toArray();
    }

    @Test
    void blockStoredCarriesThePromptBlockHashesInArrayFormatOnAConnectingPublisher() throws Exception {
        int port = SimFixture.freePort();
        try (ZContext zmq = new ZContext()) {
            ZMQ.Socket sub = zmq.createSocket(SocketType.SUB);
            sub.bind("tcp://127.0.0.1:" + port); // like llm-d's indexer: the subscriber binds, engines connect
            sub.subscribe("kv@".getBytes(StandardCharsets.UTF_8));
            try (SimFixture sim = SimFixture.start(20, SimFixture.engine("v", EngineKind.VLLM, EngineRole.UNIFIED,
                    e -> e.withKvEvents("tcp://127.0.0.1:" + port, null, TOPIC, SimProperties.KvEventsFormat.ARRAY)))) {
                settle(sub);
                // 300 chars = 75 tokens = 4 full blocks
                Heard heard = firstHeard(sim, sub, null, "Tell me about KV events. ".repeat(12));
                long[] expected = PromptBlocks.hash("llama-3-8b", null, PromptText.ofCompletion(heard.prompt()));
                assertThat(expected).hasSize(4);

                Message first = heard.message();
                assertThat(first.topic()).isEqualTo(TOPIC);
                List<Value> stored = first.events().get(0).asArrayValue().list();
                assertThat(stored.get(0).asStringValue().asString()).isEqualTo("BlockStored");
                assertThat(hashes(stored.get(1))).containsExactly(expected);
                assertThat(stored.get(2).isNilValue()).isTrue(); // the prompt's first block has no parent
                assertThat(stored.get(4).asIntegerValue().toInt()).isEqualTo(16);
                assertThat(stored.get(6).asStringValue().asString()).isEqualTo("GPU");
                assertThat(first.batch().asArrayValue().get(0).asFloatValue().toDouble())
                        .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(60.0));

                SimFixture.await(java.time.Duration.ofSeconds(5), "idle", () -> sim.engine(0).driver().stats().running() == 0);
                assertThat(sim.post(sim.url(0, "/reset_prefix_cache"), "").statusCode()).isEqualTo(200);
                sub.setReceiveTimeOut(10_000);
                Message cleared = receive(sub);
                assertThat(cleared.seq()).isEqualTo(first.seq() + 1);
                assertThat(cleared.events().get(0).asArrayValue().get(0).asStringValue().asString())
                        .isEqualTo("AllBlocksCleared");
            }
        }
    }

    @Test
    void aBindingPublisherSendsKeyedEventsAndReplaysItsBuffer() throws Exception {
        int port = SimFixture.freePort();
        int replayPort = SimFixture.freePort();
        try (SimFixture sim = SimFixture.start(20, SimFixture.engine("v", EngineKind.VLLM, EngineRole.UNIFIED,
                e -> e.withKvEvents("tcp://*:" + port, "tcp://127.0.0.1:" + replayPort, "",
                        SimProperties.KvEventsFormat.MAP)));
             ZContext zmq = new ZContext()) {
            ZMQ.Socket sub = zmq.createSocket(SocketType.SUB);
            sub.setReceiveTimeOut(10_000);
            sub.connect("tcp://127.0.0.1:" + port);
            sub.subscribe(new byte[0]);
            settle(sub);
            Heard heard = firstHeard(sim, sub, "t1", "salted prompt text ".repeat(10));
            Message m = heard.message();
            String prompt = heard.prompt();
            assertThat(m.topic()).isEmpty();
            Map<Value, Value> event = m.events().get(0).asMapValue().map();
            assertThat(event.get(ValueFactory.newString("type")).asStringValue().asString()).isEqualTo("BlockStored");
            // 190 characters hash into 2 full 64-character blocks; the 48 tokens fill 3 KV blocks, and the third
            // (its last token holds only 2 characters) gets the core's derived hash, chained on the second
            long[] expected = PromptBlocks.hash("llama-3-8b", "t1", PromptText.ofCompletion(prompt));
            assertThat(expected).hasSize(2);
            long[] published = hashes(event.get(ValueFactory.newString("block_hashes")));
            assertThat(published).hasSize(3).startsWith(expected);

            List<byte[]> frames = askReplay(zmq, replayPort, m.seq());
            assertThat(frames).hasSize(3);
            assertThat(ByteBuffer.wrap(frames.get(1)).getLong()).isEqualTo(m.seq());
            try (MessageUnpacker u = MessagePack.newDefaultUnpacker(frames.get(2))) {
                assertThat(u.unpackValue()).isEqualTo(m.batch());
            }
            frames = receiveAll(replaySocket);
            assertThat(frames.get(1)).isEqualTo(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}); // end of replay
            assertThat(frames.get(2)).isEmpty();
            assertThat(Arrays.equals(frames.get(0), new byte[0])).isTrue();
        }
    }
}
