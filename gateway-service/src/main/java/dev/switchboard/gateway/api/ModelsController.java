package dev.switchboard.gateway.api;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.switchboard.gateway.lb.SchedulerClient;
import reactor.core.publisher.Mono;

/** {@code GET /v1/models}: the models the fleet serves, as the scheduler sees it. */
@RestController
public class ModelsController {
    private final SchedulerClient scheduler;

    public ModelsController(SchedulerClient scheduler) {
        this.scheduler = scheduler;
    }

    @GetMapping("/v1/models")
    public Mono<Map<String, Object>> models() {
        return scheduler.models();
    }
}
