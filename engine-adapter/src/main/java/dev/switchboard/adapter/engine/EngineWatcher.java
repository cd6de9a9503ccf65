package dev.switchboard.adapter.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.discovery.DescriptorResolver;
import dev.switchboard.adapter.discovery.EngineProbe;
import dev.switchboard.adapter.discovery.GpuFacts;
import dev.switchboard.adapter.kv.MsgpackKvEventDecoder;
import dev.switchboard.adapter.kv.ZmqKvEventSubscriber;
import dev.switchboard.adapter.load.MetricsScraper;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Watches one engine: every health interval it first (until done) resolves the engine's descriptor
 * (kind, KV shape, GPU facts), then checks {@code /health}; once resolved it scrapes {@code /metrics};
 * if configured it subscribes to the engine's KV events from the start.
 */
public final class EngineWatcher {
    private static final Logger log = LoggerFactory.getLogger(EngineWatcher.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final EngineEndpoint endpoint;
    private final WebClient client;
    private final AdapterProperties properties;
    private final EngineProbe probe;
    private final Mono<Optional<GpuFacts>> gpu;
    private final MetricsScraper scraper;
    private final Disposable.Composite running = Disposables.composite();
    private ZmqKvEventSubscriber kv;
    private volatile String resolveFailure = "";

    public EngineWatcher(EngineEndpoint endpoint, WebClient client, AdapterProperties properties, Mono<Optional<GpuFacts>> gpu,
            AdapterMetrics metrics) {
        this.endpoint = endpoint;
        this.client = client;
        this.properties = properties;
        // the one-time fact probes may hit a cold engine (or a cold adapter JVM): a longer bound than health checks
        this.probe = new EngineProbe(client, max(properties.health().timeout(), PROBE_TIMEOUT));
        this.gpu = gpu;
        this.scraper = new MetricsScraper(endpoint, client, properties.scrape(), metrics);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    public synchronized void start() {
        running.add(Flux.interval(Duration.ZERO, properties.health().interval())
                .onBackpressureDrop()
                .concatMap(tick -> (endpoint.descriptor() == null ? resolve() : Mono.<Void>empty()).then(checkHealth()), 1)
                .subscribe());
        if (!endpoint.config().kvEventsEndpoint().isEmpty()) {
            kv = new ZmqKvEventSubscriber(endpoint, new MsgpackKvEventDecoder(endpoint.config().kvHashSpace()));
            kv.start();
        }
    }

    public synchronized void stop() {
        running.dispose();
        if (kv != null) {
            kv.close();
        }
    }

    public MetricsScraper scraper() {
        return scraper;
    }

    /** One resolution attempt; failures are logged when they change and retried on the next tick. */
    Mono<Void> resolve() {
        AdapterProperties.Engine config = endpoint.config();
        EngineKind fixed = config.engineKind().fixed();
        Mono<EngineKind> kind = fixed != null ? Mono.just(fixed) : probe.detectKind(config.baseUrl());
        return kind.flatMap(k -> probe.facts(k, config.baseUrl(), config.model())
                        .zipWith(gpu, (facts, gpuFacts) -> {
                            EngineDescriptor d = DescriptorResolver.resolve(config, k, facts, gpuFacts);
                            if (!facts.notes().isEmpty()) {
                                log.info("engine '{}': {}; using configured or default values", endpoint.id(),
                                        String.join("; ", facts.notes()));
                            }
                            return d;
                        }))
                .doOnNext(d -> {
                    endpoint.resolve(d);
                    if (endpoint.descriptor() == d) {
                        running.add(scraper.start(d.engineKind()));
                    }
                })
                .onErrorResume(e -> {
                    String message = e.getMessage();
                    if (!message.equals(resolveFailure)) {
                        resolveFailure = message;
                        log.warn("engine '{}': cannot read its facts yet ({}); retrying every {}", endpoint.id(), message,
                                properties.health().interval());
                    }
                    return Mono.empty();
                })
                .then();
    }

    Mono<Void> checkHealth() {
        return client.get().uri(endpoint.config().baseUrl() + "/health")
                .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()))
                .timeout(properties.health().timeout())
                .map(status -> status >= 200 && status < 300 ? "" : "GET /health answered " + status)
                .onErrorResume(e -> Mono.just(e instanceof TimeoutException
                        ? "GET /health gave no answer within " + properties.health().timeout()
                        : e instanceof WebClientRequestException w ? "engine unreachable: " + w.getMostSpecificCause().getMessage()
                        : "GET /health failed: " + e.getMessage()))
                .doOnNext(problem -> endpoint.health(problem.isEmpty(), problem))
                .then();
    }
}
