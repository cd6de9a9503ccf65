package dev.switchboard.bench.des;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchboard.contract.EngineRole;
import dev.switchboard.sim.core.GpuProfile;
import dev.switchboard.sim.core.GpuProfiles;

/**
 * A simulated cluster: groups of identical engines, each written {@code COUNTxGPU[:MODEL][:ROLE]} and
 * joined with commas, e.g. {@code 8xH100:llama-3-8b:unified} or
 * {@code 4xH100:llama-3-8b:prefill,4xH100:llama-3-8b:decode}. The model defaults to
 * {@value #DEFAULT_MODEL} and the role to {@code unified}; models are engine-sim's calibrated ones.
 *
 * @param text   the specification as written (for reports)
 * @param groups the groups, in order; engines are numbered per role across groups
 */
public record ClusterSpec(String text, List<Group> groups) {
    /** Model of a group that names none. */
    public static final String DEFAULT_MODEL = "llama-3-8b";
    /** Most engines a cluster may have (a bound on accidental huge simulations). */
    public static final int MAX_ENGINES = 1024;

    private static final Pattern HEAD = Pattern.compile("(\\d+)\\s*[xX]\\s*([A-Za-z0-9]+)");

    public ClusterSpec {
        Objects.requireNonNull(text, "text");
        groups = List.copyOf(groups);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one engine group");
        }
        int total = groups.stream().mapToInt(Group::count).sum();
        if (total > MAX_ENGINES) {
            throw new IllegalArgumentException("a cluster may have at most " + MAX_ENGINES + " engines, but '" + text
                    + "' has " + total);
        }
    }

    /** GPUs engine-sim has profiles for. */
    public enum Gpu {
        /** H100 80GB HBM3: measured calibration. */
        H100("H100-80GB", 80),
        /** A100 80GB: derived from the H100 measurements by datasheet ratios. */
        A100("A100-80GB", 80);

        private final String descriptorName;
        private final int memoryGib;

        Gpu(String descriptorName, int memoryGib) {
            this.descriptorName = descriptorName;
            this.memoryGib = memoryGib;
        }

        /** The GPU type published in engine descriptors. */
        public String descriptorName() {
            return descriptorName;
        }

        /** Memory of one GPU in GiB. */
        public int memoryGib() {
            return memoryGib;
        }

        /** engine-sim's profile of {@code model} on this GPU. */
        public GpuProfile profile(String model) {
            return this == H100 ? GpuProfiles.h100(model) : GpuProfiles.a100(model);
        }

        static Gpu parse(String name, String group) {
            return Arrays.stream(values()).filter(g -> g.name().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("cluster group '" + group + "': unknown GPU '" + name
                            + "'; known: " + String.join(", ", Arrays.stream(values()).map(Gpu::name).toList())));
        }
    }

    /**
     * Identical engines.
     *
     * @param count engines, at least 1
     * @param gpu   GPU of each engine
     * @param model served (and calibrated) model
     * @param role  engine role
     */
    public record Group(int count, Gpu gpu, String model, EngineRole role) {
        public Group {
            if (count < 1) {
                throw new IllegalArgumentException("engine count must be >= 1, but was " + count);
            }
            Objects.requireNonNull(gpu, "gpu");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(role, "role");
        }
    }

    /** Parses {@code text}; every mistake is reported with the group it is in. */
    public static ClusterSpec parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("the cluster specification is empty; write e.g. 8xH100:llama-3-8b:unified");
        }
        List<Group> groups = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            String group = raw.trim();
            if (group.isEmpty()) {
                throw new IllegalArgumentException("cluster '" + text + "' has an empty group (two commas, or a comma at an end)");
            }
            groups.add(group(group));
        }
        return new ClusterSpec(text.trim(), groups);
    }

    private static Group group(String group) {
        String[] parts = group.split(":", -1);
        Matcher head = HEAD.matcher(parts[0].trim());
        if (!head.matches()) {
            throw new IllegalArgumentException("cluster group '" + group + "' must start with COUNTxGPU, e.g. 8xH100");
        }
        int count;
        try {
            count = Integer.parseInt(head.group(1));
        } catch (NumberFormatException e) {
            count = Integer.MAX_VALUE;
        }
        if (count < 1 || count > MAX_ENGINES) {
            throw new IllegalArgumentException("cluster group '" + group + "': engine count must be in [1, " + MAX_ENGINES
                    + "], but was " + head.group(1));
        }
        Gpu gpu = Gpu.parse(head.group(2), group);
        String model = null;
        EngineRole role = null;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.isEmpty()) {
                throw new IllegalArgumentException("cluster group '" + group + "' has an empty field");
            }
            EngineRole asRole = role(part);
            if (asRole != null) {
                if (role != null) {
                    throw new IllegalArgumentException("cluster group '" + group + "' names two roles");
                }
                role = asRole;
            } else {
                if (model != null) {
                    throw new IllegalArgumentException("cluster group '" + group + "': '" + part
                            + "' is neither a role (unified, prefill, decode) nor the only model");
                }
                model = part;
            }
        }
        model = model == null ? DEFAULT_MODEL : model;
        List<String> known = GpuProfiles.h100Models();
        if (!known.contains(model)) {
            throw new IllegalArgumentException("cluster group '" + group + "': no calibration for model '" + model
                    + "'; known: " + String.join(", ", known));
        }
        return new Group(count, gpu, model, role == null ? EngineRole.UNIFIED : role);
    }

    private static EngineRole role(String part) {
        for (EngineRole r : EngineRole.values()) {
            if (r.wireName().equals(part.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }

    /** Number of engines. */
    public int engines() {
        return groups.stream().mapToInt(Group::count).sum();
    }

    /** Models served, in order of first appearance. */
    public List<String> models() {
        return List.copyOf(new LinkedHashSet<>(groups.stream().map(Group::model).toList()));
    }

    /** Whether some engine has the prefill role (disaggregated decisions are possible). */
    public boolean disaggregated() {
        return groups.stream().anyMatch(g -> g.role() == EngineRole.PREFILL);
    }
}
