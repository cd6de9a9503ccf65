package dev.switchboard.bench.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.bench.workload.TenantAssignment;
import dev.switchboard.bench.workload.TraceFormat;
import dev.switchboard.bench.workload.Workload;
import dev.switchboard.bench.workload.WorkloadPreset;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The workload options every bench command shares ({@code --trace}/{@code --workload}, rate scale,
 * window, tenants, seed), as a picocli mixin. {@link #build()} applies them in a fixed order: read or
 * generate, cut the window (in trace time), scale the rate, keep the first {@code --max-requests},
 * assign tenants.
 */
public final class WorkloadOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    static final class Source {
        @Option(names = "--trace", paramLabel = "FILE", description = "Trace file to replay (Mooncake .jsonl or Azure .csv).")
        Path trace;

        @Option(names = "--workload", paramLabel = "NAME",
                description = "Generated workload: b2b-saas (150 groups x 5 prompts sharing a 6000-token system prompt), "
                        + "multi-turn (chat sessions resending the conversation), heavy-tenant (one tenant floods).")
        String workload;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--format", paramLabel = "mooncake|azure",
            description = "Trace format (default: from the file name, .jsonl = mooncake, .csv = azure).")
    String format;

    @Option(names = {"-P", "--param"}, paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override a generator parameter, e.g. -P groups=10 -P rate=2. b2b-saas: groups, prompts-per-group, "
                    + "system-tokens, question-tokens, output-tokens, rate. multi-turn: sessions, turns, system-tokens, "
                    + "question-tokens, answer-tokens, rate (sessions/s), think-time. heavy-tenant: light-tenants, rate "
                    + "(per light tenant), heavy-factor, duration, system-tokens, question-tokens, output-tokens.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of generated texts, arrivals and tenant draws (default: ${DEFAULT-VALUE}). "
                    + "Change it to avoid prefix-cache hits left by an earlier run.")
    long seed;

    @Option(names = "--rate-scale", paramLabel = "X", defaultValue = "1",
            description = "Multiply the arrival rate by X (arrival times divided by X; default: ${DEFAULT-VALUE}).")
    double rateScale;

    @Option(names = "--window-start", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "Skip the trace's first DURATION (trace time, before rate scaling; default: ${DEFAULT-VALUE}).")
    Duration windowStart;

    @Option(names = "--window-length", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Keep only DURATION of trace time after --window-start (default: to the end).")
    Duration windowLength;

    @Option(names = "--max-requests", paramLabel = "N", description = "Keep only the first N requests.")
    Integer maxRequests;

    @Option(names = "--tenants", paramLabel = "N",
            description = "Re-assign requests (whole sessions) to N tenants tenant-0..tenant-(N-1).")
    Integer tenants;

    @Option(names = "--tenant-assignment", paramLabel = "round-robin|weighted", defaultValue = "round-robin",
            description = "How --tenants assigns: in turn, or drawn by --tenant-weights (default: ${DEFAULT-VALUE}).")
    String tenantAssignment;

    @Option(names = "--tenant-weights", paramLabel = "W", split = ",",
            description = "One positive weight per tenant for --tenant-assignment weighted.")
    List<Double> tenantWeights;

    /** The rate scale given (for reports). */
    public double rateScale() {
        return rateScale;
    }

    /** The seed given. */
    public long seed() {
        return seed;
    }

    /** Builds the workload; invalid combinations fail with a {@link ParameterException}. */
    public Workload build() {
        validate();
        try {
            Workload w;
            if (source.trace != null) {
                TraceFormat f = format == null ? TraceFormat.guess(source.trace) : TraceFormat.parse(format);
                w = f.read(source.trace, seed);
            } else {
                w = WorkloadPreset.parse(source.workload).generate(params, seed);
            }
            if (!windowStart.isZero() || windowLength != null) {
                w = w.window(windowStart, windowLength);
            }
            w = w.scaleRate(rateScale);
            if (maxRequests != null) {
                w = w.limit(maxRequests);
            }
            if (tenants != null) {
                w = w.withTenants(assignment());
            }
            if (w.size() == 0) {
                throw new IllegalArgumentException("the workload is empty (check --window-start/--window-length)");
            }
            return w;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private void validate() {
        if (source.trace != null) {
            if (!Files.isReadable(source.trace)) {
                fail("--trace " + source.trace + " is not a readable file");
            }
            if (!params.isEmpty()) {
                fail("--param applies to generated workloads (--workload), not to --trace");
            }
        } else if (format != null) {
            fail("--format applies to --trace, not to --workload");
        }
        if (!(rateScale > 0) || Double.isInfinite(rateScale)) {
            fail("--rate-scale must be a positive number, but was " + rateScale);
        }
        if (windowStart.isNegative()) {
            fail("--window-start must be >= 0, but was " + windowStart);
        }
        if (windowLength != null && (windowLength.isZero() || windowLength.isNegative())) {
            fail("--window-length must be > 0, but was " + windowLength);
        }
        if (maxRequests != null && maxRequests < 1) {
            fail("--max-requests must be >= 1, but was " + maxRequests);
        }
        if (tenants != null && tenants < 1) {
            fail("--tenants must be >= 1, but was " + tenants);
        }
        boolean weighted = "weighted".equals(tenantAssignment);
        if (!weighted && !"round-robin".equals(tenantAssignment)) {
            fail("--tenant-assignment must be round-robin or weighted, but was '" + tenantAssignment + "'");
        }
        if (tenants == null && (weighted || tenantWeights != null)) {
            fail("--tenant-assignment and --tenant-weights need --tenants");
        }
        if (weighted && tenantWeights == null) {
            fail("--tenant-assignment weighted needs --tenant-weights with one weight per tenant");
        }
        if (tenantWeights != null && !weighted) {
            fail("--tenant-weights needs --tenant-assignment weighted");
        }
    }

    private TenantAssignment assignment() {
        List<String> names = TenantAssignment.names(tenants);
        return tenantWeights == null ? new TenantAssignment.RoundRobin(names)
                : new TenantAssignment.Weighted(names, tenantWeights, seed);
    }

    private void fail(String message) {
        throw new ParameterException(spec.commandLine(), message);
    }
}
