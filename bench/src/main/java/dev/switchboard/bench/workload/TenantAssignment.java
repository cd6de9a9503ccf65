package dev.switchboard.bench.workload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Re-assigns the requests of a workload to tenants. The unit of assignment is a session (all turns
 * of a conversation stay with one tenant) or, for requests without a session, the request itself.
 */
public sealed interface TenantAssignment {

    /** The requests, in order, with their new tenants. */
    List<TraceRequest> apply(List<TraceRequest> requests);

    /** Tenant names {@code tenant-0 .. tenant-(n-1)}. */
    static List<String> names(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("number of tenants must be >= 1, but was " + n);
        }
        return IntStream.range(0, n).mapToObj(i -> "tenant-" + i).toList();
    }

    /**
     * Units go to tenants in turn, in order of first arrival.
     *
     * @param tenants tenant names, at least one
     */
    record RoundRobin(List<String> tenants) implements TenantAssignment {
        public RoundRobin {
            tenants = List.copyOf(tenants);
            if (tenants.isEmpty()) {
                throw new IllegalArgumentException("round-robin assignment needs at least one tenant");
            }
        }

        @Override
        public List<TraceRequest> apply(List<TraceRequest> requests) {
            return assign(requests, unit -> tenants.get(unit % tenants.size()));
        }
    }

    /**
     * Each unit goes to a tenant drawn with probability proportional to its weight (reproducible
     * per seed).
     *
     * @param tenants tenant names, at least one
     * @param weights one positive weight per tenant
     * @param seed    seed of the draws
     */
    record Weighted(List<String> tenants, List<Double> weights, long seed) implements TenantAssignment {
        public Weighted {
            tenants = List.copyOf(tenants);
            weights = List.copyOf(weights);
            if (tenants.isEmpty()) {
                throw new IllegalArgumentException("weighted assignment needs at least one tenant");
            }
            if (weights.size() != tenants.size()) {
                throw new IllegalArgumentException("weighted assignment needs one weight per tenant: "
                        + tenants.size() + " tenants but " + weights.size() + " weights");
            }
            for (int i = 0; i < weights.size(); i++) {
                double w = weights.get(i);
                if (!(w > 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("tenant weight " + (i + 1) + " must be a positive finite number, but was " + w);
                }
            }
        }

        @Override
        public List<TraceRequest> apply(List<TraceRequest> requests) {
            double total = weights.stream().mapToDouble(Double::doubleValue).sum();
            return assign(requests, unit -> {
                double x = new SplittableRandom(Seeds.mix(Seeds.DRAWS, seed, unit)).nextDouble() * total;
                for (int i = 0; i < tenants.size() - 1; i++) {
                    x -= weights.get(i);
                    if (x < 0) {
                        return tenants.get(i);
                    }
                }
                return tenants.get(tenants.size() - 1);
            });
        }
    }

    private static List<TraceRequest> assign(List<TraceRequest> requests, java.util.function.IntFunction<String> tenantOfUnit) {
        Map<String, String> bySession = new HashMap<>();
        List<TraceRequest> out = new ArrayList<>(requests.size());
        int units = 0;
        for (TraceRequest r : requests) {
            String tenant;
            if (r.sessionId() == null) {
                tenant = tenantOfUnit.apply(units++);
            } else {
                tenant = bySession.get(r.sessionId());
                if (tenant == null) {
                    tenant = tenantOfUnit.apply(units++);
                    bySession.put(r.sessionId(), tenant);
                }
            }
            out.add(r.withTenant(tenant));
        }
        return out;
    }
}
