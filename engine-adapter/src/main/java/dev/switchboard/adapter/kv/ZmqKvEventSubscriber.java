package dev.switchboard.adapter.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.engine.EngineStatus;
import dev.switchboard.contract.wire.KvEvent;

/**
 * Subscribes to one engine's ZeroMQ KV event publisher with JeroMQ and forwards every batch to the
 * endpoint as a {@code KvEventBatch}. Messages are 3 frames {@code [topic, seq (8 bytes, big-endian),
 * msgpack payload]} ({@code research/engine-protocols.md} 3.2).
 *
 * <p>The SUB socket connects to the configured endpoint, or binds it when it contains {@code *}
 * (engines configured to connect to their consumer). A gap in the engine's sequence is counted and
 * passed on as a gap in the adapter's batch sequence; a sequence that goes back means the publisher
 * (the engine) restarted, so a {@code CLEARED} event is forwarded first: a restarted engine's cache is
 * empty. One daemon thread per engine; it polls with a short receive timeout so it stops promptly.
 */
public final class ZmqKvEventSubscriber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZmqKvEventSubscriber.class);
    private static final int RECEIVE_TIMEOUT_MILLIS = 100;

    private final EngineEndpoint endpoint;
    private final String zmqEndpoint;
    private final String topic;
    private final KvEventDecoder decoder;
    private final KvSequence sequence = new KvSequence();
    private volatile boolean running;
    private Thread thread;
    private long lastGapLogMillis;

    public ZmqKvEventSubscriber(EngineEndpoint endpoint, KvEventDecoder decoder) {
        this.endpoint = endpoint;
        this.zmqEndpoint = endpoint.config().kvEventsEndpoint();
        this.topic = endpoint.config().kvEventsTopic();
        this.decoder = decoder;
    }

    /** Starts the subscriber thread. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "kv-events-" + endpoint.id());
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    private void run() {
        EngineStatus.Kv status = endpoint.status().kv;
        try (ZContext context = new ZContext()) {
            ZMQ.Socket socket = context.createSocket(SocketType.SUB);
            socket.setLinger(0);
            socket.setRcvHWM(100_000); // vLLM's publisher default hwm
            socket.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
            if (zmqEndpoint.contains("*")) {
                socket.bind(zmqEndpoint);
            } else {
                socket.connect(zmqEndpoint);
            }
            socket.subscribe(topic.getBytes(StandardCharsets.UTF_8));
            status.started(zmqEndpoint);
            log.info("engine '{}': {} KV events at {} (topic '{}')", endpoint.id(),
                    zmqEndpoint.contains("*") ? "listening for" : "subscribed to", zmqEndpoint, topic);
            while (running) {
                ZMsg message = ZMsg.recvMsg(socket);
                if (message != null) {
                    handle(message, status);
                }
            }
        } catch (ZMQException e) {
            if (running) {
                status.malformed("subscriber stopped: " + e.getMessage());
                log.error("engine '{}': KV event subscriber at {} failed: {}", endpoint.id(), zmqEndpoint, e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            status.malformed("subscriber stopped: " + e);
            log.error("engine '{}': KV event subscriber at {} failed", endpoint.id(), zmqEndpoint, e);
        } finally {
            status.stopped();
        }
    }

    /** Handles one multipart message (package-private for tests). */
    void handle(ZMsg message, EngineStatus.Kv status) {
        try {
            if (message.size() != 3) {
                status.malformed("message has " + message.size() + " frames, expected [topic, seq, payload]");
                return;
            }
            message.pop(); // topic: already filtered by the subscription
            byte[] seqBytes = message.pop().getData();
            byte[] payload = message.pop().getData();
            if (seqBytes.length != 8) {
                status.malformed("sequence frame has " + seqBytes.length + " bytes, expected 8");
                return;
            }
            long seq = ByteBuffer.wrap(seqBytes).getLong();
            KvEventDecoder.Decoded decoded;
            try {
                decoded = decoder.decode(payload);
            } catch (KvEventDecoder.MalformedPayloadException e) {
                status.malformed(e.getMessage());
                // its events are lost: pass that on as a gap in the adapter's batch sequence
                long lost = 1 + sequence.next(seq).lost();
                endpoint.publishKv(List.of(), lost);
                log.warn("engine '{}': undecodable KV event batch {} ({}); forwarded as a sequence gap", endpoint.id(), seq,
                        e.getMessage());
                return;
            }
            KvSequence.Step step = sequence.next(seq);
            List<KvEvent> events = decoded.events();
            if (step.publisherRestarted()) {
                status.publisherRestart();
                List<KvEvent> withReset = new ArrayList<>(events.size() + 1);
                withReset.add(KvEvent.cleared());
                withReset.addAll(events);
                events = withReset;
                log.info("engine '{}': KV event sequence restarted at {} (engine restart); forwarding a cache reset",
                        endpoint.id(), seq);
            }
            if (step.lost() > 0) {
                status.gap(step.lost());
                long now = endpoint.clock().millis();
                if (now - lastGapLogMillis > 10_000) {
                    lastGapLogMillis = now;
                    log.warn("engine '{}': lost {} KV event batch(es) before seq {} ({} gaps so far)", endpoint.id(),
                            step.lost(), seq, status.gaps());
                }
            }
            if (decoded.unknownEvents() > 0) {
                status.unknownEvents(decoded.unknownEvents());
            }
            status.batch(seq, events.size());
            if (!events.isEmpty() || step.lost() > 0) {
                endpoint.publishKv(events, step.lost());
            }
        } finally {
            message.destroy();
        }
    }
}
