package dev.switchboard.scheduler.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.switchboard.contract.wire.SchedulerPaths;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.service.SchedulerService;

/** The fleet's models for gateways ({@code GET /v1/models}); the per-request calls are {@link GatewayRoutes}'. */
@RestController
public class ModelsController {
    private final SchedulerService scheduler;

    public ModelsController(SchedulerService scheduler) {
        this.scheduler = scheduler;
    }

    /** Models served by engines that can take requests, in the OpenAI list shape. */
    @GetMapping(SchedulerPaths.MODELS)
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
}
