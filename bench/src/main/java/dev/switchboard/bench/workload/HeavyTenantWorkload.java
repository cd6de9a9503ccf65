package dev.switchboard.bench.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The fairness scenario: tenant {@value #HEAVY} sends {@code heavyFactor} times the rate of each of
 * {@code lightTenants} light tenants ({@code light-1 ..}), all as independent Poisson processes for
 * {@code duration}. Each tenant has its own system prompt; questions are unique.
 *
 * @param lightTenants   number of light tenants
 * @param lightRate      requests per second of each light tenant
 * @param heavyFactor    the heavy tenant's rate as a multiple of a light tenant's
 * @param duration       how long every tenant sends
 * @param systemTokens   per-tenant system prompt tokens (0 for none)
 * @param questionTokens tokens of each question
 * @param outputTokens   tokens to generate per request
 * @param seed           seed of texts and arrivals
 */
public record HeavyTenantWorkload(int lightTenants, double lightRate, double heavyFactor, Duration duration,
        int systemTokens, int questionTokens, int outputTokens, long seed) {
    /** Name of the flooding tenant. */
    public static final String HEAVY = "heavy";

    public HeavyTenantWorkload {
        SharedPrefixWorkload.positive("light tenants", lightTenants);
        if (!(lightRate > 0) || Double.isInfinite(lightRate)) {
            throw new IllegalArgumentException("light tenant rate must be a positive number of requests/s, but was " + lightRate);
        }
        if (!(heavyFactor > 0) || Double.isInfinite(heavyFactor)) {
            throw new IllegalArgumentException("heavy factor must be a positive number, but was " + heavyFactor);
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("duration must be > 0, but was " + duration);
        }
        if (systemTokens < 0) {
            throw new IllegalArgumentException("system tokens must be >= 0, but was " + systemTokens);
        }
        SharedPrefixWorkload.positive("question tokens", questionTokens);
        SharedPrefixWorkload.positive("output tokens", outputTokens);
    }

    /** Preset {@code heavy-tenant}: 4 light tenants at 1 req/s, the heavy one at 6x, for 120 s; 500 / 500 / 200 tokens. */
    public static HeavyTenantWorkload preset(long seed) {
        return new HeavyTenantWorkload(4, 1.0, 6.0, Duration.ofSeconds(120), 500, 500, 200, seed);
    }

    /** {@link #preset} with {@code params} overriding any field. */
    public static HeavyTenantWorkload preset(GeneratorParams params, long seed) {
        HeavyTenantWorkload d = preset(seed);
        HeavyTenantWorkload w = new HeavyTenantWorkload(params.integer("light-tenants", d.lightTenants, 1),
                params.positive("rate", d.lightRate),
                params.positive("heavy-factor", d.heavyFactor),
                params.duration("duration", d.duration),
                params.integer("system-tokens", d.systemTokens, 0),
                params.integer("question-tokens", d.questionTokens, 1),
                params.integer("output-tokens", d.outputTokens, 1), seed);
        params.finish();
        return w;
    }

    /** The requests. */
    public Workload generate(String name) {
        List<TraceRequest> requests = new ArrayList<>();
        long end = duration.toNanos();
        for (int t = 0; t <= lightTenants; t++) {
            String tenant = t == 0 ? HEAVY : "light-" + t;
            double rate = t == 0 ? lightRate * heavyFactor : lightRate;
            PoissonArrivals arrivals = new PoissonArrivals(rate, Seeds.mix(seed, 1, t));
            TextSegment system = new TextSegment(Seeds.mix(Seeds.SYSTEM_TEXT, seed, t), systemTokens);
            int n = 0;
            for (long at = arrivals.next(); at < end; at = arrivals.next(), n++) {
                TextSegment question = new TextSegment(Seeds.mix(Seeds.TURN_TEXT, seed, t, n), questionTokens);
                Prompt prompt = systemTokens > 0
                        ? new Prompt(List.of(PromptMessage.of("system", system), PromptMessage.of("user", question)))
                        : Prompt.user(List.of(question));
                requests.add(TraceRequest.of(at, tenant, prompt, outputTokens, null));
            }
        }
        return new Workload(name, requests);
    }
}
