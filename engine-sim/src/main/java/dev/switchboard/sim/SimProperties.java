package dev.switchboard.sim;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;

/**
 * Engines this process simulates ({@code switchboard.sim.*}). Validated at startup: a bad value
 * stops the process with a message naming the property.
 *
 * @param bindHost address every engine listens on (loopback by default)
 * @param engines  the engines, at least one
 */
@ConfigurationProperties(SimProperties.PREFIX)
public record SimProperties(@DefaultValue("127.0.0.1") String bindHost, List<Engine> engines) {
    public static final String PREFIX = "switchboard.sim";

    public SimProperties {
        if (engines == null || engines.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + ".engines must list at least one engine");
        }
        engines = List.copyOf(engines);
        Set<Integer> ports = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < engines.size(); i++) {
            Engine e = engines.get(i);
            if (!ports.add(e.port())) {
                throw new IllegalArgumentException(PREFIX + ".engines[" + i + "].port " + e.port() + " is used twice");
            }
            if (!ids.add(e.id())) {
                throw new IllegalArgumentException(PREFIX + ".engines[" + i + "].id '" + e.id() + "' is used twice");
            }
        }
    }

    /**
     * One simulated engine.
     *
     * @param id           name used in logs (defaults to {@code engine-<port>})
     * @param port         HTTP port of the engine's API
     * @param kind         engine surface to imitate
     * @param role         unified, prefill or decode
     * @param model        served model name
     * @param maxModelLen  longest prompt + output accepted
     * @param tokenDelay   time between two generated tokens (and before the first)
     * @param outputTokens natural answer length range "min-max" when the client sets no max_tokens
     */
    public record Engine(
            String id,
            int port,
            @DefaultValue("vllm") EngineKind kind,
            @DefaultValue("unified") EngineRole role,
            @DefaultValue("llama-3-8b") String model,
            @DefaultValue("32768") int maxModelLen,
            @DefaultValue("8ms") Duration tokenDelay,
            @DefaultValue("32-256") String outputTokens) {

        public Engine {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(PREFIX + ".engines[].port must be in [1, 65535], but was " + port);
            }
            id = id == null || id.isBlank() ? "engine-" + port : id;
            if (model.isBlank()) {
                throw new IllegalArgumentException(PREFIX + ".engines[].model must not be blank (engine " + id + ")");
            }
            if (maxModelLen < 1) {
                throw new IllegalArgumentException(PREFIX + ".engines[].max-model-len must be >= 1, but was " + maxModelLen);
            }
            if (tokenDelay.isNegative()) {
                throw new IllegalArgumentException(PREFIX + ".engines[].token-delay must be >= 0, but was " + tokenDelay);
            }
            outputRange(outputTokens);
        }

        /** The parsed {@link #outputTokens} range as {@code [min, max]}. */
        public int[] outputRange() {
            return outputRange(outputTokens);
        }

        private static int[] outputRange(String spec) {
            String[] parts = spec.split("-");
            try {
                int min = Integer.parseInt(parts[0].trim());
                int max = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : min;
                if (parts.length > 2 || min < 1 || max < min) {
                    throw new NumberFormatException();
                }
                return new int[] {min, max};
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PREFIX + ".engines[].output-tokens must be 'min-max' with 1 <= min <= max, but was '"
                        + spec + "'");
            }
        }
    }
}
