package dev.switchboard.scheduler.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebInputException;

import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.service.SchedulerService;
import dev.switchboard.scheduler.service.SchedulingRejectedException;

/** The scheduler's API for gateways. */
@RestController
public class ScheduleController {
    /** Where gateways ask for decisions. */
    public static final String SCHEDULE_PATH = "/v1/schedule";

    private final SchedulerService scheduler;

    public ScheduleController(SchedulerService scheduler) {
        this.scheduler = scheduler;
    }

    /** Decides where one request goes and opens its lease; {@code explain=true} adds per-candidate scores. */
    @PostMapping(SCHEDULE_PATH)
    public reactor.core.publisher.Mono<ScheduleDecision> schedule(@RequestBody ScheduleRequest request,
            @RequestParam(name = "explain", defaultValue = "false") boolean explain) {
        return scheduler.schedule(request, explain);
    }

    /** Closes the leases of finished requests (gateways batch these). */
    @PostMapping("/v1/leases/complete")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public void complete(@RequestBody List<LeaseCompletion> completions) {
        scheduler.complete(completions);
    }

    /** Closes one lease. */
    @PostMapping("/v1/leases/{leaseId}/complete")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public void completeOne(@PathVariable String leaseId, @RequestBody LeaseCompletion completion) {
        if (!leaseId.equals(completion.leaseId())) {
            throw new IllegalArgumentException("lease id in the path (" + leaseId + ") differs from the body's ("
                    + completion.leaseId() + ")");
        }
        scheduler.complete(List.of(completion));
    }

    /** Models served by engines that can take requests, in the OpenAI list shape. */
    @GetMapping("/v1/models")
    public Map<String, Object> models() {
        TreeSet<String> models = new TreeSet<>();
        for (EndpointView e : scheduler.snapshotNow().endpoints()) {
            if (e.descriptor().role().servesDecode() && e.accepting()) {
                models.add(e.descriptor().model());
                models.addAll(e.descriptor().loras());
            }
        }
        List<Map<String, Object>> data = models.stream().map(id -> {
            Map<String, Object> card = new LinkedHashMap<>();
            card.put("id", id);
            card.put("object", "model");
            card.put("created", 0);
            card.put("owned_by", "switchboard");
            return card;
        }).toList();
        return Map.of("object", "list", "data", data);
    }

    @ExceptionHandler(SchedulingRejectedException.class)
    ResponseEntity<ApiError.Body> rejected(SchedulingRejectedException e) {
        var response = ResponseEntity.status(e.httpStatus());
        if (e.retryAfterSeconds() > 0) {
            response.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        return response.body(e.error().body());
    }

    @ExceptionHandler({ServerWebInputException.class, IllegalArgumentException.class})
    ResponseEntity<ApiError.Body> badRequest(Exception e) {
        String message = e instanceof ServerWebInputException input && input.getMostSpecificCause() != null
                ? input.getMostSpecificCause().getMessage() : e.getMessage();
        return ResponseEntity.badRequest().body(new ApiError("Invalid scheduler request: " + message,
                ApiError.INVALID_REQUEST, null, "invalid_schedule_request").body());
    }
}
