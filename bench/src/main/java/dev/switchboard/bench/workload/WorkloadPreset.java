package dev.switchboard.bench.workload;

import java.util.Arrays;
import java.util.Map;

/** The named generated workloads ({@code --workload NAME}). */
public enum WorkloadPreset {
    /** {@link SharedPrefixWorkload#b2bSaas}. */
    B2B_SAAS("b2b-saas", "150 groups x 5 prompts sharing a 6000-token system prompt per group"),
    /** {@link MultiTurnWorkload#preset}. */
    MULTI_TURN("multi-turn", "chat sessions whose every turn resends the conversation so far"),
    /** {@link HeavyTenantWorkload#preset}. */
    HEAVY_TENANT("heavy-tenant", "one tenant sends several times the rate of each light tenant");

    private final String cliName;
    private final String description;

    WorkloadPreset(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    /** Name used on the command line. */
    public String cliName() {
        return cliName;
    }

    /** One line for help texts. */
    public String description() {
        return description;
    }

    /** Generates the workload with {@code params} overriding the preset's defaults. */
    public Workload generate(Map<String, String> params, long seed) {
        GeneratorParams p = new GeneratorParams(cliName, params);
        return switch (this) {
            case B2B_SAAS -> SharedPrefixWorkload.b2bSaas(p, seed).generate(cliName);
            case MULTI_TURN -> MultiTurnWorkload.preset(p, seed).generate(cliName);
            case HEAVY_TENANT -> HeavyTenantWorkload.preset(p, seed).generate(cliName);
        };
    }

    /** The preset named {@code name}. */
    public static WorkloadPreset parse(String name) {
        return Arrays.stream(values()).filter(p -> p.cliName.equalsIgnoreCase(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown workload '" + name + "'; expected one of "
                        + String.join(", ", Arrays.stream(values()).map(WorkloadPreset::cliName).toList())));
    }
}
