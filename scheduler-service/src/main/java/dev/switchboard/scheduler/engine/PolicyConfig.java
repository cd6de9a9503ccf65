package dev.switchboard.scheduler.engine;

import java.util.List;
import java.util.Map;

/**
 * The scheduling policy as written in YAML ({@code switchboard-scheduler.yaml}), before validation:
 * <pre>
 * plugins:
 *   - { name: prefix, type: prefix-cache-scorer, parameters: { saturationWaiting: 3 } }
 *   - { name: picker, type: max-score-picker }
 * profiles:
 *   - { name: default, plugins: [ { ref: prefix, weight: 3 }, { ref: picker } ] }
 * </pre>
 */
public record PolicyConfig(String name, List<PluginSpec> plugins, List<ProfileSpec> profiles) {

    /** One plugin instance: its unique name, its registered type, its type-specific parameters. */
    public record PluginSpec(String name, String type, Map<String, Object> parameters) {
    }

    /** A named profile: plugins by reference, in order (filters run in this order). */
    public record ProfileSpec(String name, List<PluginRef> plugins) {
    }

    /** A reference to a plugin instance; {@code weight} applies to scorers only (default 1). */
    public record PluginRef(String ref, Double weight) {
    }
}
