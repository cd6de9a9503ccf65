package dev.switchboard.scheduler.plugins.rolefilter;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.switchboard.contract.EngineRole;
import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointFilter;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.plugins.Filters;

/** Keeps endpoints whose role is one of {@code roles} (default: the decode side, decode and unified). */
public record RoleFilter(String name, Set<EngineRole> roles) implements EndpointFilter {
    public static final String TYPE = "role-filter";

    /**
     * @param roles wire names of the accepted roles ({@code unified}, {@code prefill}, {@code decode})
     */
    public record Params(List<String> roles) {
        public Params {
            roles = roles == null ? List.of("decode", "unified") : List.copyOf(roles);
            if (roles.isEmpty()) {
                throw new IllegalArgumentException("roles must name at least one role");
            }
            roles.forEach(EngineRole::fromWire);
        }

        public Set<EngineRole> roleSet() {
            Set<EngineRole> set = EnumSet.noneOf(EngineRole.class);
            roles.forEach(r -> set.add(EngineRole.fromWire(r)));
            return set;
        }
    }

    public RoleFilter(String name, Params params) {
        this(name, params.roleSet());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<EndpointView> filter(CycleContext context, List<EndpointView> candidates) {
        return Filters.keep(candidates, e -> roles.contains(e.descriptor().role()));
    }
}
