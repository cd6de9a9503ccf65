package dev.switchboard.scheduler.engine;

import java.util.List;

import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

/**
 * One scheduling decision as a pure function of the request and the cluster snapshot: no I/O, no
 * clock, no shared state, so it is tested with plain values and replayed in virtual time.
 *
 * <p>Candidates are the endpoints that serve the requested model (base or LoRA), take the decode side
 * (unified or decode role) and have not already failed this request. Among them the one with the
 * fewest outstanding requests wins; ties are broken by the request id's hash, so concurrent requests
 * spread over equally loaded endpoints instead of piling onto the first.
 */
public final class SchedulingCycle {

    public CycleResult decide(ScheduleRequest request, ClusterSnapshot snapshot) {
        List<EndpointView> servingModel = snapshot.endpoints().stream()
                .filter(e -> e.descriptor().serves(request.model()))
                .toList();
        if (servingModel.isEmpty()) {
            return new CycleResult.Rejected(404, new ApiError("The model `" + request.model() + "` does not exist.",
                    ApiError.NOT_FOUND, "model", "model_not_found"));
        }
        List<EndpointView> candidates = servingModel.stream()
                .filter(e -> e.descriptor().role().servesDecode())
                .filter(e -> !request.excludedEndpoints().contains(e.id()))
                .toList();
        if (candidates.isEmpty()) {
            return new CycleResult.Rejected(503, new ApiError("No engine serving model `" + request.model()
                    + "` can take the request right now (" + servingModel.size() + " known, none available for decode).",
                    ApiError.UNAVAILABLE, null, "no_engine_available"));
        }
        int fewest = candidates.stream().mapToInt(EndpointView::outstanding).min().orElseThrow();
        List<EndpointView> least = candidates.stream().filter(e -> e.outstanding() == fewest).toList();
        EndpointView pick = least.get(Math.floorMod(request.requestId().hashCode(), least.size()));
        return new CycleResult.Picked(pick, "least-outstanding: " + fewest + " outstanding, "
                + least.size() + " of " + candidates.size() + " candidates tied");
    }
}
