package dev.switchboard.sim.kvevents;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import dev.switchboard.sim.core.KvEvent;
import dev.switchboard.sim.core.StepResult;
import dev.switchboard.sim.driver.DriverObserver;

/**
 * Publishes an engine's KV events on ZeroMQ exactly as vLLM's {@code ZmqEventPublisher} does
 * (engine-protocols.md 3.1-3.2): one batch per engine step that changed the cache, sent as a 3-frame
 * multipart {@code [topic, seq (8-byte big-endian, from 0), msgpack payload]} on a PUB socket that binds
 * when the endpoint contains {@code *} or {@code ::} or is {@code ipc://} / {@code inproc://}, and connects
 * otherwise (llm-d's indexer binds, engines connect).
 *
 * <p>With a replay endpoint, a ROUTER socket answers {@code [identity, "", start_seq]} with every buffered
 * batch from {@code start_seq} on ({@code [identity, "", seq, payload]}), then {@code [identity, "", -1, ""]}.
 *
 * <p>ZeroMQ sockets are not thread-safe: they live on this publisher's own thread; the driver only queues.
 */
public final class ZmqKvEventPublisher implements DriverObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZmqKvEventPublisher.class);
    /** vLLM's {@code buffer_steps} default. */
    public static final int DEFAULT_BUFFER_STEPS = 10_000;
    private static final byte[] END_OF_REPLAY = ByteBuffer.allocate(8).putLong(-1L).array();

    private final String endpoint;
    private final String replayEndpoint;
    private final byte[] topic;
    private final KvEventEncoder encoder;
    private final Clock clock;
    private final int bufferSteps;
    private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closed;
    private volatile RuntimeException startFailure;

    /**
     * @param endpoint       PUB endpoint, e.g. {@code tcp://*:5557} (bind) or {@code tcp://10.0.0.5:5557} (connect)
     * @param replayEndpoint ROUTER endpoint (always bound), or {@code null}
     * @param topic          first frame of every message
     * @param format         event encoding
     * @param clock          batch timestamps ({@code ts}, unix seconds)
     * @param name           thread name suffix
     */
    public ZmqKvEventPublisher(String endpoint, String replayEndpoint, String topic, KvEventEncoder.Format format,
            Clock clock, String name) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.replayEndpoint = replayEndpoint;
        this.topic = Objects.requireNonNull(topic, "topic").getBytes(StandardCharsets.UTF_8);
        this.encoder = new KvEventEncoder(format);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.bufferSteps = DEFAULT_BUFFER_STEPS;
        this.thread = new Thread(this::run, "sim-kv-events-" + name);
        this.thread.setDaemon(true);
    }

    /** Opens the sockets; fails if an endpoint cannot be bound or connected. */
    public ZmqKvEventPublisher start() {
        thread.start();
        try {
            if (!ready.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("KV-event publisher on " + endpoint + " did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the KV-event publisher", e);
        }
        if (startFailure != null) {
            throw startFailure;
        }
        return this;
    }

    /** Whether vLLM would bind (rather than connect) a PUB socket on {@code endpoint}. */
    public static boolean binds(String endpoint) {
        return endpoint.contains("*") || endpoint.contains("::") || endpoint.startsWith("ipc://")
                || endpoint.startsWith("inproc://");
    }

    @Override
    public void onStep(StepResult step) {
        List<KvEvent> events = step.kvEvents();
        if (!events.isEmpty() && !closed) {
            queue.add(new Batch(clock.millis() / 1000.0, events));
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (ZContext context = new ZContext()) {
            ZMQ.Socket pub;
            ZMQ.Socket router = null;
            try {
                pub = context.createSocket(SocketType.PUB);
                pub.setSndHWM(100_000); // vLLM's hwm default
                pub.setLinger(0);
                if (binds(endpoint)) {
                    pub.bind(endpoint);
                } else {
                    pub.connect(endpoint);
                }
                if (replayEndpoint != null) {
                    router = context.createSocket(SocketType.ROUTER);
                    router.setLinger(0);
                    router.bind(replayEndpoint);
                }
            } catch (RuntimeException e) {
                startFailure = new IllegalStateException("cannot open KV-event sockets on " + endpoint
                        + (replayEndpoint == null ? "" : " / " + replayEndpoint) + ": " + e.getMessage(), e);
                return;
            } finally {
                ready.countDown();
            }
            ArrayDeque<byte[][]> buffer = new ArrayDeque<>();
            long seq = 0;
            while (!closed || !queue.isEmpty()) {
                Batch batch = queue.poll(router == null ? 50 : 10, TimeUnit.MILLISECONDS);
                while (batch != null) {
                    byte[] payload = encoder.encode(batch.ts, batch.events, 0);
                    byte[] seqBytes = ByteBuffer.allocate(8).putLong(seq++).array();
                    pub.sendMore(topic);
                    pub.sendMore(seqBytes);
                    pub.send(payload);
                    if (router != null) {
                        buffer.addLast(new byte[][] {seqBytes, payload});
                        if (buffer.size() > bufferSteps) {
                            buffer.removeFirst();
                        }
                    }
                    batch = queue.poll();
                }
                if (router != null) {
                    // a non-blocking receive rather than a Poller: it also makes the socket process its pending
                    // connections on every pass (a Poller missed requests under load)
                    byte[] identity;
                    while ((identity = router.recv(ZMQ.DONTWAIT)) != null) {
                        replay(router, identity, buffer);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("KV-event publisher on {} died", endpoint, e);
        }
    }

    private static void replay(ZMQ.Socket router, byte[] identity, ArrayDeque<byte[][]> buffer) {
        java.util.List<byte[]> rest = new java.util.ArrayList<>();
        while (router.hasReceiveMore()) {
            rest.add(router.recv());
        }
        byte[] start = rest.isEmpty() ? new byte[0] : rest.get(rest.size() - 1);
        if (start.length != 8) {
            log.warn("ignoring a KV-event replay request without an 8-byte start sequence");
            return;
        }
        long from = ByteBuffer.wrap(start).getLong();
        for (byte[][] entry : buffer) {
            if (ByteBuffer.wrap(entry[0]).getLong() >= from) {
                router.sendMore(identity);
                router.sendMore(new byte[0]);
                router.sendMore(entry[0]);
                router.send(entry[1]);
            }
        }
        router.sendMore(identity);
        router.sendMore(new byte[0]);
        router.sendMore(END_OF_REPLAY);
        router.send(new byte[0]);
    }

    /** Events of one step. */
    private record Batch(double ts, List<KvEvent> events) {
    }
}
