package dev.switchboard.gateway.observe;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The gateway's request metrics (names and tags are listed in docs/metrics.md). Meters recorded on
 * every request are looked up once per tag combination and kept: building and registering a meter
 * per request costs more than the recording itself. The per-request lookup is two map reads by
 * tenant and model and a scan of the few statuses seen, with no key built per request.
 */
@Component
public class GatewayMetrics {
    private final MeterRegistry meters;
    /** Inter-token timers by model: recorded for every streamed chunk. */
    private final Map<String, Timer> interTokenTimers = new ConcurrentHashMap<>();
    /** Per-request meters by tenant, then model (tenants come from config; unknown models are not labels). */
    private final Map<String, Map<String, Series>> series = new ConcurrentHashMap<>();
    private final Map<String, Timer> schedulerTimers = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** One finished client request (after all retries). */
    public void request(String tenant, String model, int status, boolean stream, long e2eNanos, StreamObserver observer) {
        Series s = series(tenant, model);
        s.requests(status, stream).increment();
        s.e2e.get().record(e2eNanos, TimeUnit.NANOSECONDS);
        if (observer == null) {
            return;
        }
        if (observer.ttftMillis() >= 0) {
            s.ttft.get().record(observer.ttftMillis(), TimeUnit.MILLISECONDS);
        }
        increment(s.promptTokens, observer.promptTokens());
        increment(s.completionTokens, observer.completionTokens());
        increment(s.cachedTokens, observer.cachedTokens());
    }

    /** One inter-token gap of a stream. */
    public void interToken(String model, long gapNanos) {
        interTokenTimers.computeIfAbsent(model, m -> Timer.builder("switchboard_gateway_itl_seconds")
                .description("Gap between content chunks of a stream").tag("model", m).publishPercentileHistogram()
                .register(meters)).record(gapNanos, TimeUnit.NANOSECONDS);
    }

    public void retry(String reason) {
        meters.counter("switchboard_gateway_retries", "reason", reason).increment();
    }

    public void fallback(String reason) {
        meters.counter("switchboard_gateway_scheduler_fallbacks", "reason", reason).increment();
    }

    public Timer schedulerCalls(String outcome) {
        return schedulerTimers.computeIfAbsent(outcome, o -> Timer.builder("switchboard_gateway_scheduler_seconds")
                .description("Latency of scheduling calls").tag("outcome", o).publishPercentileHistogram()
                .register(meters));
    }

    private Series series(String tenant, String model) {
        Map<String, Series> byModel = series.get(tenant);
        Series s = byModel == null ? null : byModel.get(model);
        if (s != null) {
            return s;
        }
        // first request of this tenant and model (the capturing lambda is only built here)
        return series.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>()).computeIfAbsent(model, m -> new Series(tenant, m));
    }

    private static void increment(Lazy<Counter> counter, int count) {
        // a kind appears with its first non-zero count
        if (count > 0) {
            counter.get().increment(count);
        }
    }

    /** The request counter of one status and stream flag. */
    private record RequestCounter(int status, boolean stream, Counter counter) {
    }

    /**
     * The meters of one tenant and model. Each is registered on first use, so a series appears with
     * its first value (a TTFT, a token kind) as docs/metrics.md says.
     */
    private final class Series {
        private final String tenant;
        private final String model;
        final Lazy<Timer> e2e;
        final Lazy<Timer> ttft;
        final Lazy<Counter> promptTokens;
        final Lazy<Counter> completionTokens;
        final Lazy<Counter> cachedTokens;
        /** Copy-on-write: a handful of statuses per series, scanned without a key or a lock. */
        private volatile RequestCounter[] requests = new RequestCounter[0];

        Series(String tenant, String model) {
            this.tenant = tenant;
            this.model = model;
            this.e2e = new Lazy<>(() -> timer("switchboard_gateway_e2e_seconds", "End-to-end request latency at the gateway"));
            this.ttft = new Lazy<>(() -> timer("switchboard_gateway_ttft_seconds", "Time to first token seen at the gateway"));
            this.promptTokens = new Lazy<>(() -> tokens("prompt"));
            this.completionTokens = new Lazy<>(() -> tokens("completion"));
            this.cachedTokens = new Lazy<>(() -> tokens("cached"));
        }

        Counter requests(int status, boolean stream) {
            Counter seen = find(requests, status, stream);
            if (seen != null) {
                return seen;
            }
            synchronized (this) {
                RequestCounter[] current = requests;
                seen = find(current, status, stream);
                if (seen != null) {
                    return seen;
                }
                Counter counter = meters.counter("switchboard_gateway_requests", "tenant", tenant, "model", model,
                        "status", Integer.toString(status), "stream", Boolean.toString(stream));
                RequestCounter[] grown = Arrays.copyOf(current, current.length + 1);
                grown[current.length] = new RequestCounter(status, stream, counter);
                requests = grown;
                return counter;
            }
        }

        private static Counter find(RequestCounter[] counters, int status, boolean stream) {
            for (RequestCounter r : counters) {
                if (r.status() == status && r.stream() == stream) {
                    return r.counter();
                }
            }
            return null;
        }

        private Timer timer(String name, String description) {
            return Timer.builder(name).description(description).tag("tenant", tenant).tag("model", model)
                    .publishPercentileHistogram().register(meters);
        }

        private Counter tokens(String kind) {
            return meters.counter("switchboard_gateway_tokens", "tenant", tenant, "model", model, "kind", kind);
        }
    }

    /** A meter registered on first use; a race registers it twice, which the registry resolves to one meter. */
    private static final class Lazy<M> {
        private final Supplier<M> register;
        private volatile M meter;

        Lazy(Supplier<M> register) {
            this.register = register;
        }

        M get() {
            M m = meter;
            if (m == null) {
                m = register.get();
                meter = m;
            }
            return m;
        }
    }
}
