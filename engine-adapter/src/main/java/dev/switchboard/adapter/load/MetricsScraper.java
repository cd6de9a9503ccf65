package dev.switchboard.adapter.load;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.metrics.MetricScrape;
import dev.switchboard.contract.metrics.PrometheusText;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Scrapes one engine's {@code /metrics} on a fixed interval and publishes a {@code LoadReport} per
 * successful scrape. A scrape that is still running when the next one is due makes that tick skip
 * (counted as {@code overrun}), so a slow engine is never hit by overlapping scrapes.
 *
 * <p>Failures are never read as zero load: a failed scrape (unreachable, timeout, HTTP error,
 * malformed text) or a scrape without a required metric publishes no report (the scheduler sees the
 * reports go stale); an optional metric the engine lacks is reported as missing (log once, metric
 * {@code switchboard_adapter_engine_metric_missing}, {@code /admin/status}). A failure is logged when
 * it starts and when it ends, not on every tick.
 */
public final class MetricsScraper {
    private static final Logger log = LoggerFactory.getLogger(MetricsScraper.class);

    private final EngineEndpoint endpoint;
    private final WebClient client;
    private final AdapterProperties.Scrape config;
    private final AdapterMetrics metrics;
    private final Scheduler scheduler;
    private final AtomicLong overruns = new AtomicLong();
    private volatile String failing = "";
    private LoadCalculator calculator;
    private MetricsMapping mapping;
    private Set<String> keep;

    public MetricsScraper(EngineEndpoint endpoint, WebClient client, AdapterProperties.Scrape config, AdapterMetrics metrics,
            Scheduler scheduler) {
        this.endpoint = endpoint;
        this.client = client;
        this.config = config;
        this.metrics = metrics;
        this.scheduler = scheduler;
    }

    public MetricsScraper(EngineEndpoint endpoint, WebClient client, AdapterProperties.Scrape config, AdapterMetrics metrics) {
        this(endpoint, client, config, metrics, Schedulers.parallel());
    }

    /** Starts scraping an engine of {@code kind}; dispose the result to stop. */
    public Disposable start(EngineKind kind) {
        this.mapping = MetricsMapping.forKind(kind);
        this.keep = mapping.sampleNames();
        this.calculator = new LoadCalculator(config.rateWindow());
        return Flux.interval(Duration.ZERO, config.interval(), scheduler)
                .onBackpressureDrop(tick -> overruns.incrementAndGet())
                .concatMap(tick -> scrapeOnce(), 1)
                .subscribe();
    }

    /** Ticks skipped because the previous scrape was still running. */
    public long overruns() {
        return overruns.get();
    }

    /** One scrape; never fails (failures are recorded). */
    Mono<Void> scrapeOnce() {
        long startNanos = System.nanoTime();
        return client.get().uri(endpoint.config().baseUrl() + "/metrics")
                .accept(MediaType.TEXT_PLAIN, MediaType.ALL)
                .exchangeToMono(response -> {
                    if (!response.statusCode().is2xxSuccessful()) {
                        int status = response.statusCode().value();
                        return response.releaseBody().then(Mono.error(new ScrapeFailure("http_error", "HTTP " + status)));
                    }
                    return response.bodyToMono(String.class).defaultIfEmpty("");
                })
                .timeout(config.timeout())
                .map(text -> PrometheusText.parse(text, keep::contains))
                .doOnNext(scrape -> {
                    long nanos = System.nanoTime() - startNanos;
                    metrics.scrapeLatency(endpoint.id(), nanos);
                    accept(scrape, nanos);
                })
                .onErrorResume(e -> {
                    failed(classify(e), message(e));
                    return Mono.empty();
                })
                .then();
    }

    private void accept(MetricScrape scrape, long nanos) {
        long now = endpoint.clock().millis();
        MetricsReading reading = MetricsReading.read(scrape, mapping);
        noteSources(reading);
        LoadCalculator.Result result = calculator.next(endpoint.id(), now, reading, endpoint.healthy(), endpoint.draining());
        noteMissing(result.missing());
        if (result.report() == null) {
            List<String> required = result.missing().stream().filter(LoadField::required).map(LoadField::wireName).toList();
            failed("missing_required", "engine exposes no " + required + " metric (tried " + result.missing().stream()
                    .filter(LoadField::required).flatMap(f -> f.candidateNames(mapping).stream()).toList() + ")");
            return;
        }
        endpoint.status().scrape.ok(now, nanos / 1000);
        if (!failing.isEmpty()) {
            log.info("engine '{}': /metrics scrapes work again (were failing: {})", endpoint.id(), failing);
            failing = "";
        }
        endpoint.publishLoad(result.report());
    }

    private void failed(String reason, String message) {
        endpoint.status().scrape.error(reason, message, endpoint.clock().millis());
        metrics.scrapeError(endpoint.id(), reason);
        if (!reason.equals(failing)) {
            log.warn("engine '{}': scraping {}/metrics fails ({}: {}); no load reports until it works", endpoint.id(),
                    endpoint.config().baseUrl(), reason, message);
            failing = reason;
        }
    }

    private void noteMissing(List<LoadField> missing) {
        Set<String> now = new LinkedHashSet<>();
        missing.forEach(f -> now.add(f.wireName()));
        for (String added : endpoint.status().scrape.missing(now)) {
            LoadField field = missing.stream().filter(f -> f.wireName().equals(added)).findFirst().orElseThrow();
            if (!field.required()) {
                log.warn("engine '{}' exposes none of {}: load field '{}' is reported as missing (sent as 0 = none)",
                        endpoint.id(), field.candidateNames(mapping), added);
            }
        }
    }

    private void noteSources(MetricsReading reading) {
        reading.sources().forEach((signal, name) -> {
            if (endpoint.status().scrape.source(signal.name(), name) && !name.equals(mapping.names(signal).get(0))) {
                log.info("engine '{}': reading {} from '{}' (the current name '{}' is absent: older engine version)",
                        endpoint.id(), signal, name, mapping.names(signal).get(0));
            }
        });
    }

    static String classify(Throwable e) {
        if (e instanceof ScrapeFailure f) {
            return f.reason;
        }
        if (e instanceof TimeoutException) {
            return "timeout";
        }
        if (e instanceof WebClientRequestException) {
            return "unreachable";
        }
        if (e instanceof PrometheusText.ParseException) {
            return "parse_error";
        }
        if (e instanceof DataBufferLimitException) {
            return "too_large";
        }
        return "error";
    }

    private static String message(Throwable e) {
        if (e instanceof WebClientRequestException w) {
            return w.getMostSpecificCause().getMessage();
        }
        if (e instanceof TimeoutException) {
            return "no answer in time";
        }
        return String.valueOf(e.getMessage());
    }

    /** A scrape that got an answer, but not a usable one. */
    static final class ScrapeFailure extends RuntimeException {
        final String reason;

        ScrapeFailure(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
