package dev.switchboard.scheduler.framework;

import java.util.Objects;
import java.util.SplittableRandom;

import dev.switchboard.contract.wire.ScheduleRequest;

/**
 * What every plugin may read during one scheduling cycle. Immutable: plugins share data only
 * through their return values, so the cycle stays a pure function of request and snapshot.
 *
 * @param request     the request being scheduled
 * @param snapshot    the cluster at cycle start
 * @param prefix      predicted cached prefix per endpoint
 * @param blockTokens tokens per prompt block of {@link ScheduleRequest#blockHashes()}
 * @param seed        seed for randomised pickers (derived from the request id: decisions are reproducible)
 * @param sessionEndpoint id of the endpoint that last served the request's session, or {@code null}
 * @param pairedDecode    in the prefill stage of a disaggregated decision, the decode pick; else {@code null}
 */
public record CycleContext(ScheduleRequest request, ClusterSnapshot snapshot, PrefixMatches prefix, int blockTokens,
        long seed, String sessionEndpoint, EndpointView pairedDecode) {

    public CycleContext {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(prefix, "prefix");
        if (blockTokens < 1) {
            throw new IllegalArgumentException("blockTokens must be >= 1, but was " + blockTokens);
        }
    }

    /** The same cycle, in the prefill stage paired with {@code decode}. */
    public CycleContext withPairedDecode(EndpointView decode) {
        return new CycleContext(request, snapshot, prefix, blockTokens, seed, sessionEndpoint, decode);
    }

    /** Prompt tokens predicted to be cached on {@code endpoint}. */
    public int cachedTokens(EndpointView endpoint) {
        return Math.min(request.promptTokens(), prefix.matchedBlocks(endpoint.id()) * blockTokens);
    }

    /** Prompt tokens {@code endpoint} would have to prefill. */
    public int uncachedTokens(EndpointView endpoint) {
        return request.promptTokens() - cachedTokens(endpoint);
    }

    /** A random source for this cycle and {@code salt} (e.g. the plugin name). */
    public SplittableRandom random(String salt) {
        return new SplittableRandom(seed ^ salt.hashCode() * 0x9E3779B97F4A7C15L);
    }
}
