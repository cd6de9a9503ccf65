package dev.switchboard.adapter.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.support.Engines;
import dev.switchboard.adapter.support.FakeEngine;
import dev.switchboard.adapter.support.FakeEngine.Reply;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.Disposable;

@Timeout(20)
class MetricsScraperTest {
    private final AtomicReference<Reply> metrics = new AtomicReference<>();
    private final FakeEngine engine = new FakeEngine().answer("GET", "/metrics", s -> metrics.get());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Disposable scraping;

    @AfterEach
    void tearDown() {
        if (scraping != null) {
            scraping.dispose();
        }
        engine.close();
    }

    private EngineEndpoint endpoint() {
        AdapterProperties props = Engines.adapter(Engines.engine(18071, "decode-1", EngineRole.DECODE, engine.url()));
        EngineEndpoint e = new EngineFleet(props, Clock.systemUTC(), AdapterJson.MAPPER).endpoints().get(0);
        new AdapterMetrics(registry).bind(e);
        e.health(true, "");
        return e;
    }

    private MetricsScraper scraper(EngineEndpoint e) {
        return new MetricsScraper(e, WebClient.create(), Engines.scrape(Duration.ofMillis(20), Duration.ofSeconds(1)),
                new AdapterMetrics(registry));
    }

    private static String page(int running, String kvName) {
        return "vllm:num_requests_running{engine=\"0\"} " + running + "\nvllm:num_requests_waiting 2\n" + kvName + " 0.5\n";
    }

    @Test
    void loadFollowsTheEngineAndMissingOrFailingMetricsAreNeverReadAsZero() {
        EngineEndpoint e = endpoint();
        metrics.set(Reply.text(200, "text/plain; version=0.0.4", page(3, "vllm:gpu_cache_usage_perc")));
        scraping = scraper(e).start(EngineKind.VLLM);

        FakeEngine.await(() -> e.lastLoad() != null, Duration.ofSeconds(5), "a first load report");
        assertThat(e.lastLoad().running()).isEqualTo(3);
        assertThat(e.lastLoad().waiting()).isEqualTo(2);
        assertThat(e.lastLoad().kvUsage()).as("read from the deprecated name").isEqualTo(0.5);
        assertThat(e.lastLoad().healthy()).isTrue();
        assertThat(e.status().scrape.view().metricSources()).containsEntry("KV_USAGE", "vllm:gpu_cache_usage_perc");
        assertThat(e.status().scrape.isMissing("prefix_hit_rate")).isTrue();
        assertThat(registry.get("switchboard.adapter.engine.metric.missing").tag("field", "prefix_hit_rate").gauge().value())
                .isEqualTo(1.0);
        assertThat(registry.get("switchboard.adapter.engine.running").gauge().value()).isEqualTo(3.0);

        metrics.set(Reply.text(200, "text/plain", page(7, "vllm:kv_cache_usage_perc")));
        FakeEngine.await(() -> e.lastLoad().running() == 7, Duration.ofSeconds(5), "the new running count");

        // the engine stops serving /metrics: errors are counted, no report claims anything
        metrics.set(Reply.status(404));
        long okBefore = e.status().scrape.okCount();
        FakeEngine.await(() -> e.status().scrape.errorCount("http_error") >= 3, Duration.ofSeconds(5), "scrape errors");
        long reportAt = e.lastLoad().observedAtMillis();
        assertThat(e.status().scrape.okCount()).isLessThanOrEqualTo(okBefore + 1);
        assertThat(registry.get("switchboard.adapter.scrape.errors").tag("reason", "http_error").counter().count())
                .isGreaterThanOrEqualTo(3);

        // a renamed required metric: still no report
        metrics.set(Reply.text(200, "text/plain", "vllm:num_requests_waiting 0\nvllm:kv_cache_usage_perc 0.1\n"));
        FakeEngine.await(() -> e.status().scrape.errorCount("missing_required") >= 2, Duration.ofSeconds(5), "missing running");
        assertThat(e.lastLoad().observedAtMillis()).isEqualTo(reportAt);
        assertThat(e.status().scrape.view().lastError()).contains("vllm:num_requests_running");

        // malformed text
        metrics.set(Reply.text(200, "text/plain", page(1, "vllm:kv_cache_usage_perc") + "broken{ 1\n"));
        FakeEngine.await(() -> e.status().scrape.errorCount("parse_error") >= 1, Duration.ofSeconds(5), "a parse error");
        assertThat(e.lastLoad().observedAtMillis()).isEqualTo(reportAt);
    }

    @Test
    void anUnreachableEngineIsAScrapeErrorOnly() {
        EngineEndpoint e = endpoint();
        engine.close();
        scraping = scraper(e).start(EngineKind.VLLM);
        FakeEngine.await(() -> e.status().scrape.errorCount("unreachable") >= 2, Duration.ofSeconds(5), "unreachable errors");
        assertThat(e.lastLoad()).isNull();
        assertThat(e.healthy()).as("health is the health check's business").isTrue();
    }
}
