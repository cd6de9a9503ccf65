package dev.switchboard.bench.workload;

import java.util.Objects;

/**
 * One request of a workload.
 *
 * @param arrivalNanos when it is sent, in nanoseconds from the workload's start
 * @param tenant       tenant it is sent as (mapped to an API key by the live runner)
 * @param prompt       the prompt, rendered lazily
 * @param inputTokens  prompt content tokens (equal to {@code prompt.contentTokens()})
 * @param outputTokens tokens to generate ({@code max_tokens})
 * @param sessionId    conversation it belongs to (sent as the {@code user} field), or {@code null}
 */
public record TraceRequest(long arrivalNanos, String tenant, Prompt prompt, int inputTokens, int outputTokens,
        String sessionId) {
    /** Tenant of requests that were given none. */
    public static final String DEFAULT_TENANT = "default";

    public TraceRequest {
        if (arrivalNanos < 0) {
            throw new IllegalArgumentException("arrivalNanos must be >= 0, but was " + arrivalNanos);
        }
        tenant = tenant == null || tenant.isBlank() ? DEFAULT_TENANT : tenant;
        Objects.requireNonNull(prompt, "prompt");
        if (inputTokens != prompt.contentTokens()) {
            throw new IllegalArgumentException("inputTokens " + inputTokens + " differs from the prompt's "
                    + prompt.contentTokens() + " content tokens");
        }
        if (outputTokens < 1) {
            throw new IllegalArgumentException("outputTokens must be >= 1, but was " + outputTokens);
        }
    }

    /** A request whose input tokens are its prompt's. */
    public static TraceRequest of(long arrivalNanos, String tenant, Prompt prompt, int outputTokens, String sessionId) {
        return new TraceRequest(arrivalNanos, tenant, prompt, prompt.contentTokens(), outputTokens, sessionId);
    }

    /** Arrival in milliseconds from the workload's start. */
    public double arrivalMillis() {
        return arrivalNanos / 1e6;
    }

    /** This request with another arrival time. */
    public TraceRequest withArrivalNanos(long nanos) {
        return new TraceRequest(nanos, tenant, prompt, inputTokens, outputTokens, sessionId);
    }

    /** This request with another tenant. */
    public TraceRequest withTenant(String newTenant) {
        return new TraceRequest(arrivalNanos, newTenant, prompt, inputTokens, outputTokens, sessionId);
    }
}
