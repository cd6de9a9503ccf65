package dev.switchboard.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.bench.des.Admission;
import dev.switchboard.bench.des.ClusterSpec;
import dev.switchboard.bench.des.DesConfig;
import dev.switchboard.bench.des.PolicySpec;
import dev.switchboard.bench.live.LiveConfig;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.scheduler.admission.AdmissionConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of the virtual-time modes ({@code des}, {@code capacity}) as a picocli mixin: the
 * simulated cluster, the policies to compare, the SLO and the replay's knobs. Everything is validated
 * before any prompt is hashed, with a message naming the option.
 */
public final class SimulationOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "SPEC", defaultValue = "8xH100:llama-3-8b:unified",
            description = "Simulated engines: COUNTxGPU[:MODEL][:ROLE] groups joined by commas, e.g. 8xH100:llama-3-8b:unified "
                    + "or 4xH100:llama-3-8b:prefill,4xH100:llama-3-8b:decode. GPUs: H100, A100; models: llama-3-8b, "
                    + "qwen2.5-7b; roles: unified (default), prefill, decode (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--policy", paramLabel = "NAME|FILE",
            description = "Scheduling policy: a preset (switchboard-default or default, round-robin, least-request, "
                    + "llm-d-default, sglang-cache-aware) or a policy YAML file. Repeatable; each is replayed in turn.")
    List<String> policy = new ArrayList<>();

    @Option(names = "--policies", paramLabel = "NAME", split = ",", description = "Several policies at once (added to --policy).")
    List<String> policies = new ArrayList<>();

    @Option(names = "--admission", paramLabel = "fair|fifo|none", defaultValue = "fair",
            description = "Admission in front of the scheduling cycle: fair (the scheduler's token-weighted fair queueing "
                    + "across tenants, with backpressure while every engine is saturated), fifo (the same, one queue for "
                    + "all) or none (schedule every request on arrival). Default: ${DEFAULT-VALUE}.")
    String admission;

    @Option(names = "--tenants-config", paramLabel = "FILE",
            description = "The scheduler's tenants YAML (weights, priorities, tokens-per-minute, max-queued) for fair admission; "
                    + "tenants not in it weigh 1.")
    Path tenantsConfig;

    @Option(names = "--headroom-prefill-tokens", paramLabel = "TOKENS",
            description = "Admission headroom: an engine with this many uncached prompt tokens sent and likely not prefilled "
                    + "yet takes no more requests until it catches up (0: no bound; default: the scheduler's, "
                    + AdmissionConfig.DEFAULT_HEADROOM_PREFILL_TOKENS + ").")
    Long headroomPrefillTokens;

    @Option(names = "--headroom-running", paramLabel = "N",
            description = "Admission headroom: an engine with this many requests in flight takes no more until one finishes "
                    + "(0: no bound, the default, as the scheduler's).")
    Integer headroomRunning;

    @Option(names = "--model", paramLabel = "NAME", description = "Model requests ask for (default: the cluster's first model).")
    String model;

    @Option(names = "--kv-events", description = "Feed the engines' KV events to the scheduler's prefix index (as an adapter "
            + "relaying them does); by default it learns only from its own decisions.")
    boolean kvEvents;

    @Option(names = "--report-interval", paramLabel = "DURATION", defaultValue = "100ms", converter = DurationConverter.class,
            description = "Virtual time between two load reports of each engine to the scheduler (default: ${DEFAULT-VALUE}).")
    Duration reportInterval;

    @Option(names = "--max-model-len", paramLabel = "TOKENS", defaultValue = "131072",
            description = "Longest prompt + output an engine accepts; longer requests fail with 400 (default: ${DEFAULT-VALUE}).")
    int maxModelLen;

    @Option(names = "--slo-ttft", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "SLO time to first token: goodput counts requests within it, the SLO holds when the run's p90 is "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration sloTtft;

    @Option(names = "--slo-itl", paramLabel = "DURATION", defaultValue = "50ms", converter = DurationConverter.class,
            description = "SLO inter-token latency: per request (mean) for goodput, p90 of all gaps for the run (default: "
                    + "${DEFAULT-VALUE}).")
    Duration sloItl;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "1",
            description = "Replays run at once (policies and load points are independent; the numbers do not change, "
                    + "per-run wall times do). Default: ${DEFAULT-VALUE}.")
    int jobs;

    /** Replays to run at once. */
    public int jobs() {
        if (jobs < 1) {
            throw new ParameterException(spec.commandLine(), "--jobs must be >= 1, but was " + jobs);
        }
        return jobs;
    }

    /** The replay configuration. */
    public DesConfig config() {
        try {
            ClusterSpec spec = ClusterSpec.parse(cluster);
            positive("--report-interval", reportInterval);
            positive("--slo-ttft", sloTtft);
            positive("--slo-itl", sloItl);
            if (maxModelLen < 2) {
                throw new IllegalArgumentException("--max-model-len must be >= 2, but was " + maxModelLen);
            }
            if (model != null && model.isBlank()) {
                throw new IllegalArgumentException("--model must not be blank");
            }
            String served = model == null ? spec.models().get(0) : model;
            if (!spec.models().contains(served)) {
                throw new IllegalArgumentException("--model " + served + " is served by no engine of --cluster " + cluster
                        + " (it serves " + String.join(", ", spec.models()) + ")");
            }
            Admission mode = Admission.parse(admission);
            if (tenantsConfig != null && mode != Admission.FAIR) {
                throw new IllegalArgumentException("--tenants-config applies to --admission fair, not " + mode.cliName());
            }
            return new DesConfig(spec, served, new LiveConfig.Slo(sloTtft, sloItl), reportInterval, kvEvents, maxModelLen,
                    DesConfig.DEFAULT_PREFILL_TOKENS_PER_SECOND, Duration.ofMinutes(10), mode, admissionConfig(), tenants());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), messageFor(e), e);
        }
    }

    private AdmissionConfig admissionConfig() {
        AdmissionConfig d = AdmissionConfig.defaults();
        long prefill = headroomPrefillTokens == null ? d.headroomPrefillTokens() : headroomPrefillTokens;
        int running = headroomRunning == null ? d.headroomRunning() : headroomRunning;
        try {
            return d.withHeadroom(prefill, running);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage(), e);
        }
    }

    /** The policies given (each once, in order), or {@code defaults} when none was. */
    public List<PolicySpec> policies(List<String> defaults) {
        List<String> names = new ArrayList<>(policy);
        names.addAll(policies);
        if (names.isEmpty()) {
            names.addAll(defaults);
        }
        Map<String, PolicySpec> out = new LinkedHashMap<>();
        for (String name : names) {
            try {
                PolicySpec p = PolicySpec.resolve(name);
                if (out.putIfAbsent(p.name(), p) != null) {
                    throw new IllegalArgumentException("policy '" + p.name() + "' is given twice");
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--policy: " + e.getMessage(), e);
            }
        }
        return List.copyOf(out.values());
    }

    private TenantsConfig tenants() {
        if (tenantsConfig == null) {
            return TenantsConfig.empty();
        }
        try {
            return TenantsConfig.parse(Files.readString(tenantsConfig));
        } catch (IOException e) {
            throw new IllegalArgumentException("--tenants-config " + tenantsConfig + " is not a readable file");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tenants-config " + tenantsConfig + ": " + e.getMessage(), e);
        }
    }

    private static String messageFor(IllegalArgumentException e) {
        String m = e.getMessage();
        return m.startsWith("--") ? m : "--cluster: " + m;
    }

    private static void positive(String option, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(option + " must be > 0, but was " + d);
        }
    }
}
