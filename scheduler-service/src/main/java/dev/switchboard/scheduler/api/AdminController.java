package dev.switchboard.scheduler.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.scheduler.admission.AdmissionController;
import dev.switchboard.scheduler.datalayer.EndpointReports;
import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.engine.Policy;
import dev.switchboard.scheduler.engine.PolicyException;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.service.PolicyStore;
import dev.switchboard.scheduler.service.SchedulerService;
import dev.switchboard.support.TenantsSource;

/** Operator API (behind {@link AdminAuthFilter}): endpoints, drains, policy, recent decisions. */
@RestController
@RequestMapping("/admin")
public class AdminController {
    private final SchedulerService scheduler;
    private final EndpointReports reports;
    private final PrefixIndex prefixIndex;
    private final PolicyStore policies;
    private final TenantsSource tenantsSource;

    public AdminController(SchedulerService scheduler, EndpointReports reports, PrefixIndex prefixIndex, PolicyStore policies,
            TenantsSource tenantsSource) {
        this.scheduler = scheduler;
        this.reports = reports;
        this.prefixIndex = prefixIndex;
        this.policies = policies;
        this.tenantsSource = tenantsSource;
    }

    /** Every known endpoint: descriptor, latest report, state, outstanding requests, indexed blocks. */
    @GetMapping("/endpoints")
    public List<Map<String, Object>> endpoints() {
        return scheduler.snapshotNow().endpoints().stream().map(this::describe).toList();
    }

    private Map<String, Object> describe(EndpointView e) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", e.id());
        view.put("address", e.host() + ":" + e.port());
        view.put("role", e.descriptor().role().wireName());
        view.put("model", e.descriptor().model());
        view.put("state", e.state().name().toLowerCase(java.util.Locale.ROOT));
        view.put("accepting", e.accepting());
        view.put("stale", e.stale());
        view.put("operatorDrained", reports.drained(e.id()));
        view.put("outstanding", e.outstanding());
        view.put("prefillBacklogTokens", e.prefillBacklogTokens());
        view.put("indexedBlocks", prefixIndex.size(e.id()));
        view.put("load", e.load());
        view.put("descriptor", e.descriptor());
        return view;
    }

    @PostMapping("/endpoints/{id}/drain")
    public Map<String, Object> drain(@PathVariable String id) {
        return setDrained(id, true);
    }

    @PostMapping("/endpoints/{id}/undrain")
    public Map<String, Object> undrain(@PathVariable String id) {
        return setDrained(id, false);
    }

    private Map<String, Object> setDrained(String id, boolean drained) {
        EndpointView endpoint = scheduler.snapshotNow().byId().get(id);
        if (endpoint == null) {
            throw new NoSuchEndpointException(id);
        }
        reports.drain(id, drained);
        return describe(scheduler.snapshotNow().byId().get(id));
    }

    /** The policy in force (with where it came from and when) and the last rejected update, if any. */
    @GetMapping("/policy")
    public Map<String, Object> policy() {
        Policy policy = policies.cycle().policy();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", policy.name());
        view.put("profiles", policy.profiles().keySet());
        view.put("handler", policy.handler().type());
        view.put("source", policy.source());
        view.put("applied", policies.lastApplied());
        view.put("lastError", policies.lastError());
        return view;
    }

    /** Validates and applies a new policy (YAML body); 400 with the precise problem if invalid. */
    @PutMapping(value = "/policy", consumes = {"application/yaml", "application/x-yaml", "text/yaml", "text/plain"})
    public Map<String, Object> putPolicy(@RequestBody String yaml) {
        policies.apply(yaml, "admin API");
        return policy();
    }

    /** Per tenant: queued requests, oldest wait, fairness counter, weight, priority, quota use. */
    @GetMapping("/queues")
    public List<AdmissionController.TenantQueue> queues() {
        return scheduler.queues();
    }

    /** The tenants admission works with (key hashes are not shown, only how many each tenant has). */
    @GetMapping("/tenants")
    public List<Map<String, Object>> tenants() {
        return scheduler.tenants().tenants().stream().map(t -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", t.id());
            view.put("weight", t.weight());
            view.put("priority", t.priority());
            view.put("tokensPerMinute", t.tokensPerMinute());
            view.put("maxQueued", t.maxQueued());
            view.put("apiKeys", t.apiKeySha256().size());
            return view;
        }).toList();
    }

    /**
     * Replaces the tenants (YAML body, the {@code switchboard-tenants.yaml} format) for admission in
     * this scheduler; 400 with every problem if invalid. Gateways read API keys from the same Nacos
     * data id or file, so a lasting change belongs there.
     */
    @PutMapping(value = "/tenants", consumes = {"application/yaml", "application/x-yaml", "text/yaml", "text/plain"})
    public List<Map<String, Object>> putTenants(@RequestBody String yaml) {
        tenantsSource.apply(yaml, "admin API");
        return tenants();
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<ApiError.Body> invalidTenants(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(new ApiError(e.getMessage(), ApiError.INVALID_REQUEST, null,
                "invalid_config").body());
    }

    /** Recent decisions, newest first, with per-candidate scores. */
    @GetMapping("/decisions")
    public List<SchedulerService.DecisionRecord> decisions(@RequestParam(defaultValue = "20") int limit) {
        return scheduler.recentDecisions(Math.max(0, Math.min(limit, 1000)));
    }

    @ExceptionHandler(PolicyException.class)
    ResponseEntity<ApiError.Body> invalidPolicy(PolicyException e) {
        return ResponseEntity.badRequest().body(new ApiError(e.getMessage(), ApiError.INVALID_REQUEST, null,
                "invalid_policy").body());
    }

    @ExceptionHandler(NoSuchEndpointException.class)
    ResponseEntity<ApiError.Body> unknownEndpoint(NoSuchEndpointException e) {
        return ResponseEntity.status(404).body(new ApiError(e.getMessage(), ApiError.NOT_FOUND, "id",
                "endpoint_not_found").body());
    }

    static final class NoSuchEndpointException extends RuntimeException {
        NoSuchEndpointException(String id) {
            super("No endpoint '" + id + "' is known.");
        }
    }
}
