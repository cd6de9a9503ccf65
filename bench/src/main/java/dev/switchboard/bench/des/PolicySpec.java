package dev.switchboard.bench.des;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import dev.switchboard.scheduler.engine.Policy;
import dev.switchboard.scheduler.engine.PolicyException;
import dev.switchboard.scheduler.engine.PolicyLoader;
import dev.switchboard.scheduler.plugins.BuiltinPlugins;
import dev.switchboard.scheduler.service.PolicyStore;

/**
 * A scheduling policy to replay with: a preset of the scheduler ({@code switchboard-default},
 * {@code round-robin}, {@code least-request}, {@code llm-d-default}, {@code sglang-cache-aware};
 * {@code default} is an alias of {@code switchboard-default}) or a policy YAML file, validated by the
 * scheduler's own {@link PolicyLoader}. Plugins may keep state (a round-robin cursor), so every run
 * compiles a fresh {@link Policy} from the text.
 *
 * @param name   the policy's name (its {@code name:} field, else the preset or file name)
 * @param yaml   the policy text
 * @param source where it came from ({@code preset} or the file path)
 */
public record PolicySpec(String name, String yaml, String source) {
    /** The presets, in the order reports list them. */
    public static final List<String> PRESETS = List.of("switchboard-default", "round-robin", "least-request",
            "llm-d-default", "sglang-cache-aware");

    public PolicySpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(source, "source");
    }

    /**
     * The policy named {@code nameOrFile}: an existing file is read as policy YAML, anything else is a
     * preset name. The policy is compiled once here, so mistakes surface before a long replay starts.
     *
     * @throws IllegalArgumentException with the scheduler's message if the policy is unknown or invalid
     */
    public static PolicySpec resolve(String nameOrFile) {
        Objects.requireNonNull(nameOrFile, "nameOrFile");
        String key = nameOrFile.trim();
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a policy name must not be blank");
        }
        try {
            Path file = Path.of(key);
            if (Files.isRegularFile(file)) {
                String yaml = PolicyStore.file(file);
                String fallback = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
                return new PolicySpec(compile(yaml, fallback).name(), yaml, file.toString());
            }
            String preset = "default".equals(key) ? "switchboard-default" : key;
            String yaml = PolicyStore.preset(preset);
            return new PolicySpec(compile(yaml, preset).name(), yaml, "preset");
        } catch (PolicyException e) {
            throw new IllegalArgumentException("policy '" + key + "': " + e.getMessage(), e);
        }
    }

    /** A fresh, validated policy (plugins with their own state). */
    public Policy compile() {
        return compile(yaml, name);
    }

    private static Policy compile(String yaml, String fallbackName) {
        return new PolicyLoader(BuiltinPlugins.registry()).load(yaml, fallbackName);
    }
}
