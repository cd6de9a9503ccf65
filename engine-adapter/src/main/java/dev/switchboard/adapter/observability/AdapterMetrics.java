package dev.switchboard.adapter.observability;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.load.LoadField;
import dev.switchboard.contract.wire.AdapterEvents;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The adapter's Micrometer meters; on {@code /actuator/prometheus} every name starts with
 * {@code switchboard_adapter_} and every per-engine meter carries the tag {@code endpoint}.
 * Engine gauges read the latest load report and are NaN before the first one (unknown is not zero).
 */
public final class AdapterMetrics {
    private static final String P = "switchboard.adapter.";
    private final MeterRegistry registry;

    public AdapterMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Registers the gauges and function counters that read one endpoint's state. */
    public void bind(EngineEndpoint e) {
        String id = e.id();
        loadGauge(e, "engine.running", "requests in the engine's running batch", r -> r.running());
        loadGauge(e, "engine.waiting", "requests in the engine's waiting queue", r -> r.waiting());
        loadGauge(e, "engine.kv.usage", "fraction of the engine's KV cache in use", LoadReport::kvUsage);
        loadGauge(e, "engine.prefix.hit.rate", "recent prefix-cache hit rate (tokens)", LoadReport::prefixHitRate);
        loadGauge(e, "engine.ttft.seconds", "recent mean time to first token", r -> r.recentTtftMillis() / 1000.0);
        loadGauge(e, "engine.itl.seconds", "recent mean inter-token latency", r -> r.recentItlMillis() / 1000.0);
        loadGauge(e, "engine.generation.tokens.per.second", "recent generation throughput", LoadReport::tokensPerSecond);
        Gauge.builder(P + "engine.load.age.seconds", e, x -> x.lastLoad() == null ? Double.NaN
                        : (x.clock().millis() - x.lastLoad().observedAtMillis()) / 1000.0)
                .description("age of the latest load report").tag("endpoint", id).register(registry);
        Gauge.builder(P + "engine.healthy", e, x -> x.healthy() ? 1 : 0)
                .description("1 when the engine's health check passes").tag("endpoint", id).register(registry);
        for (LifecycleEvent.State state : LifecycleEvent.State.values()) {
            Gauge.builder(P + "engine.lifecycle", e, x -> x.lifecycle().state() == state ? 1 : 0)
                    .description("1 for the endpoint's current lifecycle state").tag("endpoint", id)
                    .tag("state", state.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
        }
        Gauge.builder(P + "requests.in.flight", e, EngineEndpoint::inFlight)
                .description("requests being served through this endpoint's listener").tag("endpoint", id).register(registry);
        for (LoadField field : LoadField.values()) {
            Gauge.builder(P + "engine.metric.missing", e, x -> x.status().scrape.isMissing(field.wireName()) ? 1 : 0)
                    .description("1 when the engine exposes none of the metrics behind this load field")
                    .tag("endpoint", id).tag("field", field.wireName()).register(registry);
        }
        Gauge.builder(P + "events.subscribers", e, x -> x.hub().subscribers())
                .description("event-stream subscribers").tag("endpoint", id).register(registry);
        for (String type : new String[] {AdapterEvents.STATE, AdapterEvents.LOAD, AdapterEvents.KV, AdapterEvents.LIFECYCLE}) {
            FunctionCounter.builder(P + "events.dropped", e, x -> x.hub().dropped(type))
                    .description("events not delivered to a slow subscriber (load: replaced by a newer report)")
                    .tag("endpoint", id).tag("type", type).register(registry);
        }
        kvCounter(e, "kv.batches", "KV event batches received from the engine", x -> x.status().kv.batches());
        kvCounter(e, "kv.events", "KV events received from the engine", x -> x.status().kv.events());
        kvCounter(e, "kv.seq.gaps", "gaps in the engine's KV event sequence", x -> x.status().kv.gaps());
        kvCounter(e, "kv.lost.batches", "KV event batches lost in sequence gaps", x -> x.status().kv.lostBatches());
        kvCounter(e, "kv.malformed", "undecodable KV event messages", x -> x.status().kv.malformed());
        kvCounter(e, "kv.unknown.events", "KV events of unknown type (skipped)", x -> x.status().kv.unknownEvents());
    }

    /** Times one scrape of an engine's /metrics. */
    public void scrapeLatency(String endpointId, long nanos) {
        Timer.builder(P + "scrape.latency").description("time to fetch and parse an engine's /metrics")
                .tag("endpoint", endpointId).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a failed scrape by reason ({@code unreachable}, {@code timeout}, {@code http_error}, ...). */
    public void scrapeError(String endpointId, String reason) {
        Counter.builder(P + "scrape.errors").description("failed scrapes of an engine's /metrics")
                .tag("endpoint", endpointId).tag("reason", reason).register(registry).increment();
    }

    /** Counts a disaggregated request by how it ended. */
    public void pdRequest(String endpointId, String transfer, String outcome) {
        Counter.builder(P + "pd.requests").description("disaggregated requests by outcome")
                .tag("endpoint", endpointId).tag("transfer", transfer).tag("outcome", outcome).register(registry).increment();
    }

    /** Counts one leg of a disaggregated request by result. */
    public void pdLeg(String endpointId, String transfer, String leg, String result) {
        Counter.builder(P + "pd.legs").description("prefill and decode legs by result")
                .tag("endpoint", endpointId).tag("transfer", transfer).tag("leg", leg).tag("result", result)
                .register(registry).increment();
    }

    private void loadGauge(EngineEndpoint e, String name, String description, ToDoubleFunction<LoadReport> value) {
        Gauge.builder(P + name, e, x -> x.lastLoad() == null ? Double.NaN : value.applyAsDouble(x.lastLoad()))
                .description(description).tag("endpoint", e.id()).register(registry);
    }

    private void kvCounter(EngineEndpoint e, String name, String description, ToDoubleFunction<EngineEndpoint> value) {
        FunctionCounter.builder(P + name, e, value).description(description).tag("endpoint", e.id()).register(registry);
    }
}
