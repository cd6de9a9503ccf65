package dev.switchboard.scheduler.datalayer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.contract.sse.SseFramer;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.EndpointState;
import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.KvEventBatch;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;
import tools.jackson.databind.ObjectMapper;

/**
 * Subscribes to every discovered endpoint's adapter event stream ({@link AdapterEvents#PATH}) and
 * feeds load reports and lifecycle changes into {@link EndpointReports} and KV events into the
 * {@link PrefixIndex}. Streams reconnect with backoff; one subscription per endpoint address,
 * started and stopped as discovery changes.
 */
@Component
public class AdapterStreams implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AdapterStreams.class);
    /** Longest event accepted from an adapter (a KV batch for a very long prompt is a few hundred KB). */
    private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

    private final EngineDirectory directory;
    private final EndpointReports reports;
    private final PrefixIndex prefixIndex;
    private final ObjectMapper json;
    private final WebClient client;
    private final MeterRegistry meters;
    private final Map<String, Disposable> subscriptions = new ConcurrentHashMap<>();
    private volatile boolean running;

    public AdapterStreams(EngineDirectory directory, EndpointReports reports, PrefixIndex prefixIndex, ObjectMapper json,
            WebClient.Builder webClients, MeterRegistry meters) {
        this.directory = directory;
        this.reports = reports;
        this.prefixIndex = prefixIndex;
        // Boot's mapper: it reads KV events' block hashes in their wire encoding (BlockHashJsonAutoConfiguration)
        this.json = json;
        // bodies are read as raw buffers and framed here: the event size bound is the framer's MAX_EVENT_BYTES
        this.client = webClients.build();
        this.meters = meters;
    }

    @Override
    public void start() {
        running = true;
        directory.onChange(this::sync);
        sync(directory.current());
    }

    @Override
    public void stop() {
        running = false;
        subscriptions.values().forEach(Disposable::dispose);
        subscriptions.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Subscribes to new endpoints and drops subscriptions of endpoints that are gone. */
    synchronized void sync(ClusterSnapshot snapshot) {
        if (!running) {
            return;
        }
        Map<String, EndpointView> wanted = snapshot.endpoints().stream()
                .collect(Collectors.toMap(AdapterStreams::key, e -> e, (a, b) -> a));
        subscriptions.entrySet().removeIf(s -> {
            if (!wanted.containsKey(s.getKey())) {
                s.getValue().dispose();
                return true;
            }
            return false;
        });
        wanted.forEach((key, endpoint) -> subscriptions.computeIfAbsent(key, k -> subscribe(endpoint)));
        reports.retain(snapshot.endpoints().stream().map(EndpointView::id).collect(Collectors.toSet()));
    }

    private static String key(EndpointView e) {
        return e.id() + "@" + e.host() + ":" + e.port();
    }

    private Disposable subscribe(EndpointView endpoint) {
        String url = "http://" + endpoint.host() + ":" + endpoint.port() + AdapterEvents.PATH;
        return Flux.defer(() -> {
                    // a fresh framer per connection: a reconnect never continues a half-read event
                    SseFramer framer = new SseFramer(MAX_EVENT_BYTES,
                            (type, data, length) -> handle(endpoint.id(), type, data, length));
                    return client.get().uri(url).accept(MediaType.TEXT_EVENT_STREAM)
                            .retrieve()
                            .bodyToFlux(DataBuffer.class)
                            .<Void>handle((buffer, sink) -> frame(framer, buffer, endpoint.id()));
                })
                .doOnSubscribe(s -> log.debug("subscribing to {}", url))
                // a dropped stream makes the endpoint stale at once; it is reconnected like one that fails
                .doOnError(e -> reports.disconnected(endpoint.id()))
                .doOnComplete(() -> reports.disconnected(endpoint.id()))
                .repeat()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
                        .doBeforeRetry(signal -> meters.counter("switchboard_scheduler_adapter_stream_reconnects",
                                "endpoint", endpoint.id()).increment()))
                .subscribe(event -> { }, error -> log.warn("event stream of {} stopped: {}", endpoint.id(), error.toString()));
    }

    /** Frames one read; its events are applied as they complete, before the buffer is released. */
    private void frame(SseFramer framer, DataBuffer buffer, String endpointId) {
        try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
            long oversized = framer.oversizedEvents();
            while (views.hasNext()) {
                framer.feed(views.next());
            }
            if (framer.oversizedEvents() > oversized) {
                meters.counter("switchboard_scheduler_adapter_events_invalid", "endpoint", endpointId).increment();
                log.warn("dropped an event over {} bytes from {}", MAX_EVENT_BYTES, endpointId);
            }
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /** Applies one event of an adapter's stream ({@code data[0, length)} is its JSON, UTF-8). */
    void handle(String endpointId, String type, byte[] data, int length) {
        if (isBlank(data, length)) {
            if (AdapterEvents.HEARTBEAT.equals(type)) {
                reports.heard(endpointId);
            }
            return;
        }
        try {
            switch (type) {
                case AdapterEvents.STATE -> {
                    EndpointState state = json.readValue(data, 0, length, EndpointState.class);
                    if (state.descriptor() != null) {
                        reports.describe(state.descriptor());
                    }
                    reports.lifecycle(state.lifecycle());
                    if (state.load() != null) {
                        reports.load(state.load());
                    }
                }
                case AdapterEvents.LOAD -> reports.load(json.readValue(data, 0, length, LoadReport.class));
                case AdapterEvents.LIFECYCLE -> reports.lifecycle(json.readValue(data, 0, length, LifecycleEvent.class));
                case AdapterEvents.KV -> apply(endpointId, json.readValue(data, 0, length, KvEventBatch.class));
                default -> {
                    // heartbeat and future event types
                }
            }
            reports.heard(endpointId);
        } catch (RuntimeException e) {
            meters.counter("switchboard_scheduler_adapter_events_invalid", "endpoint", endpointId).increment();
            log.debug("ignoring malformed {} event from {}: {}", type, endpointId, e.toString());
        }
    }

    private static boolean isBlank(byte[] data, int length) {
        for (int i = 0; i < length; i++) {
            byte b = data[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private final Map<String, Long> lastKvSeq = new ConcurrentHashMap<>();

    private void apply(String endpointId, KvEventBatch batch) {
        Long previous = lastKvSeq.put(endpointId, batch.seq());
        if (previous != null && batch.seq() != previous + 1) {
            // events were lost (or the adapter restarted): what the index believes is no longer known
            prefixIndex.clear(endpointId);
            meters.counter("switchboard_scheduler_kv_event_gaps", "endpoint", endpointId).increment();
        }
        for (KvEvent event : batch.events()) {
            switch (event.kind()) {
                case CLEARED -> prefixIndex.clear(endpointId);
                case STORED -> {
                    if (event.hashSpace() == KvEvent.HashSpace.SWITCHBOARD) {
                        prefixIndex.stored(endpointId, event.blockHashView(), event.parentBlockHash() == null);
                    }
                }
                case REMOVED -> {
                    if (event.hashSpace() == KvEvent.HashSpace.SWITCHBOARD) {
                        prefixIndex.removed(endpointId, event.blockHashView());
                    }
                }
            }
        }
    }
}
