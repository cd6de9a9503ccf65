package dev.switchboard.scheduler.engine;

import java.util.Map;
import java.util.Objects;

import dev.switchboard.scheduler.framework.ProfileHandler;

/**
 * A validated, ready-to-run scheduling policy.
 *
 * @param name     policy name (for logs and the admin API)
 * @param profiles profiles by name
 * @param handler  the profile handler
 * @param source   the YAML it was loaded from
 */
public record Policy(String name, Map<String, SchedulingProfile> profiles, ProfileHandler handler, String source) {
    public Policy {
        Objects.requireNonNull(name, "name");
        profiles = Map.copyOf(profiles);
        Objects.requireNonNull(handler, "handler");
        source = source == null ? "" : source;
    }
}
