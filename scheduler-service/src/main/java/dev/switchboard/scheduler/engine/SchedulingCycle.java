package dev.switchboard.scheduler.engine;

import java.util.Objects;
import java.util.Set;

import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.PrefixMatches;
import dev.switchboard.scheduler.framework.ProfileRun;
import dev.switchboard.scheduler.framework.ProfileRunner;
import dev.switchboard.scheduler.framework.Selection;

/**
 * One scheduling decision as a synchronous, side-effect-free function of the request, the cluster
 * snapshot and the predicted prefix matches, under a {@link Policy}. The same code runs in the
 * service and in bench's virtual-time replay.
 */
public final class SchedulingCycle {
    private final Policy policy;
    private final CycleObserver observer;

    public SchedulingCycle(Policy policy, CycleObserver observer) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    public Policy policy() {
        return policy;
    }

    /**
     * @param request         the request
     * @param snapshot        the cluster (with outstanding counts and reports)
     * @param prefix          predicted cached blocks per endpoint
     * @param sessionEndpoint endpoint that served the request's session last, or {@code null}
     * @param blockTokens     tokens per prompt block
     */
    public CycleResult decide(ScheduleRequest request, ClusterSnapshot snapshot, PrefixMatches prefix,
            String sessionEndpoint, int blockTokens) {
        long needed = request.contextTokens();
        int known = 0;
        boolean anyFits = false;
        int longestContext = 0;
        for (EndpointView e : snapshot.endpoints()) {
            if (e.descriptor().serves(request.model())) {
                known++;
                anyFits |= e.descriptor().fitsContext(needed);
                longestContext = Math.max(longestContext, e.descriptor().maxModelLen());
            }
        }
        if (known == 0) {
            return new CycleResult.Rejected(404, new ApiError("The model `" + request.model() + "` does not exist.",
                    ApiError.NOT_FOUND, "model", "model_not_found"));
        }
        if (!anyFits) {
            // no engine of this model could ever take it: the client's error (as the engine would say), not a 503
            return new CycleResult.Rejected(400, new ApiError("This model's maximum context length is " + longestContext
                    + " tokens. However, you requested " + (needed - request.promptTokens()) + " output tokens and your "
                    + "prompt contains about " + request.promptTokens() + " input tokens, for a total of about " + needed
                    + " tokens.", ApiError.INVALID_REQUEST, null, "context_length_exceeded"));
        }
        long seed = request.requestId().hashCode() * 0x9E3779B97F4A7C15L;
        CycleContext context = new CycleContext(request, snapshot, prefix, blockTokens, seed, sessionEndpoint, null);
        long start = System.nanoTime();
        Selection selection = policy.handler().select(context, runner());
        observer.record("profile-handler", policy.handler().type(), policy.handler().name(), System.nanoTime() - start);
        if (selection.decode() == null) {
            return new CycleResult.Rejected(503, new ApiError("No engine serving model `" + request.model()
                    + "` can take the request right now (" + known + " known; " + selection.note() + ").",
                    ApiError.UNAVAILABLE, null, "no_engine_available"));
        }
        var prefillSide = selection.prefill() != null ? selection.prefill() : selection.decode();
        int cached = context.cachedTokens(prefillSide.endpoint());
        return new CycleResult.Picked(selection.decode(), selection.prefill(), cached, selection.runs(),
                policy.name() + ": " + selection.note());
    }

    private ProfileRunner runner() {
        return new ProfileRunner() {
            @Override
            public Set<String> profiles() {
                return policy.profiles().keySet();
            }

            @Override
            public ProfileRun run(String name, CycleContext context) {
                SchedulingProfile profile = policy.profiles().get(name);
                if (profile == null) {
                    throw new IllegalStateException("profile '" + name + "' is not defined");
                }
                return profile.run(context, observer);
            }
        };
    }
}
