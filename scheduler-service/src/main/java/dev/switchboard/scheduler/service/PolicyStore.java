package dev.switchboard.scheduler.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.scheduler.engine.CycleObserver;
import dev.switchboard.scheduler.engine.Policy;
import dev.switchboard.scheduler.engine.PolicyException;
import dev.switchboard.scheduler.engine.PolicyLoader;
import dev.switchboard.scheduler.engine.SchedulingCycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The policy in force. Every new policy text (file change, Nacos push, admin PUT) is validated
 * first; an invalid one is rejected with a precise message (log, metric, {@link #lastError()}) and
 * the last good policy stays in force.
 */
public final class PolicyStore {
    private static final Logger log = LoggerFactory.getLogger(PolicyStore.class);

    private final PolicyLoader loader;
    private final CycleObserver observer;
    private final Clock clock;
    private final AtomicReference<SchedulingCycle> cycle = new AtomicReference<>();
    private final AtomicReference<Rejection> lastError = new AtomicReference<>();
    private final AtomicReference<Applied> lastApplied = new AtomicReference<>();
    private final Counter applied;
    private final Counter rejected;

    /** A rejected policy: where it came from, why, and when. */
    public record Rejection(String source, String message, long atMillis) {
    }

    /** Where the policy in force came from (preset, file, Nacos data id, admin API) and when it was applied. */
    public record Applied(String origin, long atMillis) {
    }

    public PolicyStore(PolicyLoader loader, CycleObserver observer, Clock clock, MeterRegistry meters) {
        this.loader = loader;
        this.observer = observer;
        this.clock = clock;
        this.applied = Counter.builder("switchboard_scheduler_policy_updates").tag("result", "applied")
                .description("Policy updates by result").register(meters);
        this.rejected = Counter.builder("switchboard_scheduler_policy_updates").tag("result", "rejected")
                .description("Policy updates by result").register(meters);
    }

    /** The built-in preset {@code name} from {@code policies/<name>.yaml} on the classpath. */
    public static String preset(String name) {
        try (InputStream in = PolicyStore.class.getResourceAsStream("/policies/" + name + ".yaml")) {
            if (in == null) {
                throw new PolicyException("no built-in policy preset '" + name
                        + "'; presets: switchboard-default, round-robin, least-request, llm-d-default, sglang-cache-aware");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException("could not read policy preset '" + name + "'", e);
        }
    }

    /** Reads a policy file. */
    public static String file(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new PolicyException("could not read policy file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Validates and applies {@code yaml}.
     *
     * @return the applied policy
     * @throws PolicyException (and keeps the current policy) if it is invalid
     */
    public synchronized Policy apply(String yaml, String source) {
        try {
            Policy policy = loader.load(yaml, source);
            cycle.set(new SchedulingCycle(policy, observer));
            lastApplied.set(new Applied(source, clock.millis()));
            lastError.set(null);
            applied.increment();
            log.info("scheduling policy '{}' applied from {} (profiles {}, handler {})", policy.name(), source,
                    policy.profiles().keySet(), policy.handler().type());
            return policy;
        } catch (PolicyException e) {
            lastError.set(new Rejection(source, e.getMessage(), clock.millis()));
            rejected.increment();
            log.error("rejected scheduling policy from {}; keeping '{}': {}", source,
                    cycle.get() == null ? "none" : cycle.get().policy().name(), e.getMessage());
            throw e;
        }
    }

    /** The cycle of the policy in force. */
    public SchedulingCycle cycle() {
        SchedulingCycle current = cycle.get();
        if (current == null) {
            throw new IllegalStateException("no scheduling policy has been applied");
        }
        return current;
    }

    /** Where the policy in force came from, or {@code null} before the first one. */
    public Applied lastApplied() {
        return lastApplied.get();
    }

    /** The last rejected update since the last successful one, or {@code null}. */
    public Rejection lastError() {
        return lastError.get();
    }
}
