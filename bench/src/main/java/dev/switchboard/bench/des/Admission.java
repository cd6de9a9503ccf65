package dev.switchboard.bench.des;

import java.util.Arrays;
import java.util.Locale;

/** The admission stage in front of the scheduling cycle in a replay ({@code --admission}). */
public enum Admission {
    /**
     * The scheduler's {@code AdmissionController} as the service runs it: token-weighted fair queueing
     * across tenants (weights, priorities and quotas from the tenants config), backpressure while every
     * engine is saturated, late binding.
     */
    FAIR,
    /**
     * The same controller with every request in one shared queue: first come, first served, with the
     * same backpressure and late binding (the baseline fair queueing is measured against).
     */
    FIFO,
    /** No admission stage: every request is scheduled on arrival (the scheduler before admission existed). */
    NONE;

    /** The lower-case name used on the command line and in reports. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode named {@code name}. */
    public static Admission parse(String name) {
        return Arrays.stream(values()).filter(a -> a.cliName().equalsIgnoreCase(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--admission must be fair, fifo or none, but was '" + name + "'"));
    }
}
