package dev.switchboard.scheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.switchboard.scheduler.plugins.BuiltinPlugins;
import dev.switchboard.scheduler.plugins.disagg.DisaggProfileHandler;
import dev.switchboard.scheduler.plugins.single.SingleProfileHandler;
import dev.switchboard.scheduler.service.PolicyStore;

class PolicyLoaderTest {
    private final PolicyLoader loader = new PolicyLoader(BuiltinPlugins.registry());

    @ParameterizedTest
    @ValueSource(strings = {"switchboard-default", "round-robin", "least-request", "llm-d-default", "sglang-cache-aware"})
    void everyPresetLoads(String preset) {
        Policy policy = loader.load(PolicyStore.preset(preset), preset);
        assertThat(policy.name()).isEqualTo(preset);
        assertThat(policy.profiles()).isNotEmpty();
    }

    @Test
    void defaultPolicyDisaggregatesWithADecider() {
        Policy policy = loader.load(PolicyStore.preset("switchboard-default"), "x");
        assertThat(policy.handler()).isInstanceOf(DisaggProfileHandler.class);
        assertThat(policy.profiles()).containsOnlyKeys("decode", "prefill");
    }

    @Test
    void defaultsAreInjected() {
        Policy policy = loader.load("""
                plugins:
                  - { type: model-filter }
                  - { name: lr, type: least-request-scorer }
                profiles:
                  - { name: only, plugins: [ { ref: model-filter }, { ref: lr, weight: 2 } ] }
                """, "fallback-name");
        assertThat(policy.name()).isEqualTo("fallback-name");
        assertThat(policy.handler()).isInstanceOf(SingleProfileHandler.class);
        assertThat(policy.profiles().get("only").picker().type()).isEqualTo("max-score-picker");
        assertThat(policy.profiles().get("only").scorers().get(0).weight()).isEqualTo(2.0);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("not YAML", "plugins: [", "policy YAML is invalid"),
                Arguments.of("unknown top-level field", "plugins: []\nprofiles: []\npickers: []", "unknown field 'pickers'"),
                Arguments.of("no plugins", "profiles: [ { name: a, plugins: [] } ]", "'plugins' must list at least one plugin"),
                Arguments.of("unknown type", """
                        plugins: [ { name: x, type: magic-scorer } ]
                        profiles: [ { name: default, plugins: [ { ref: x } ] } ]""",
                        "plugins[0]: plugin type 'magic-scorer' is not registered"),
                Arguments.of("duplicate plugin name", """
                        plugins: [ { name: x, type: model-filter }, { name: x, type: healthy-filter } ]
                        profiles: [ { name: default, plugins: [ { ref: x } ] } ]""",
                        "plugins[1]: plugin name 'x' is used twice"),
                Arguments.of("unknown parameter", """
                        plugins: [ { name: p, type: prefix-cache-scorer, parameters: { saturationWaitng: 3 } } ]
                        profiles: [ { name: default, plugins: [ { ref: p } ] } ]""",
                        "plugin 'p' (prefix-cache-scorer): unknown field 'saturationWaitng'"),
                Arguments.of("bad parameter value", """
                        plugins: [ { name: d, type: prefix-based-pd-decider, parameters: { nonCachedTokens: -3 } } ]
                        profiles: [ { name: default, plugins: [ ] } ]""",
                        "nonCachedTokens must be >= 0, but was -3"),
                Arguments.of("wrong parameter type", """
                        plugins: [ { name: p, type: prefix-cache-scorer, parameters: { saturationWaiting: lots } } ]
                        profiles: [ { name: default, plugins: [ { ref: p } ] } ]""",
                        "plugin 'p' (prefix-cache-scorer)"),
                Arguments.of("parameters on a plugin that takes none", """
                        plugins: [ { name: m, type: model-filter, parameters: { strict: true } } ]
                        profiles: [ { name: default, plugins: [ { ref: m } ] } ]""",
                        "unknown field 'strict'"),
                Arguments.of("dangling reference", """
                        plugins: [ { name: m, type: model-filter } ]
                        profiles: [ { name: default, plugins: [ { ref: nope } ] } ]""",
                        "profile 'default' references plugin 'nope', which is not defined"),
                Arguments.of("two pickers in a profile", """
                        plugins: [ { name: a, type: max-score-picker }, { name: b, type: round-robin-picker } ]
                        profiles: [ { name: default, plugins: [ { ref: a }, { ref: b } ] } ]""",
                        "profile 'default' has 2 pickers ([a, b]); a profile takes exactly one"),
                Arguments.of("weight on a filter", """
                        plugins: [ { name: m, type: model-filter } ]
                        profiles: [ { name: default, plugins: [ { ref: m, weight: 2 } ] } ]""",
                        "'m' is a model-filter, not a scorer, so it takes no weight"),
                Arguments.of("negative weight", """
                        plugins: [ { name: lr, type: least-request-scorer } ]
                        profiles: [ { name: default, plugins: [ { ref: lr, weight: -1 } ] } ]""",
                        "weight of 'lr' must be a finite number >= 0"),
                Arguments.of("two handlers", """
                        plugins:
                          - { name: h1, type: single-profile-handler }
                          - { name: h2, type: single-profile-handler }
                          - { name: m, type: model-filter }
                        profiles: [ { name: default, plugins: [ { ref: m } ] } ]""",
                        "exactly one is allowed"),
                Arguments.of("handler uses an undefined profile", """
                        plugins:
                          - { name: d, type: prefix-based-pd-decider }
                          - { name: pd, type: disagg-profile-handler, parameters: { decider: d } }
                          - { name: m, type: model-filter }
                        profiles: [ { name: decode, plugins: [ { ref: m } ] } ]""",
                        "uses profile 'prefill', which is not defined"),
                Arguments.of("decider of the wrong kind", """
                        plugins:
                          - { name: m, type: model-filter }
                          - { name: pd, type: disagg-profile-handler, parameters: { decider: m } }
                        profiles: [ { name: decode, plugins: [ { ref: m } ] }, { name: prefill, plugins: [ { ref: m } ] } ]""",
                        "plugin 'm' is a model-filter, but a PdDecider is needed here"),
                Arguments.of("several profiles and no handler", """
                        plugins: [ { name: m, type: model-filter } ]
                        profiles: [ { name: a, plugins: [ { ref: m } ] }, { name: b, plugins: [ { ref: m } ] } ]""",
                        "no profile handler to choose between them"),
                Arguments.of("a decider inside a profile", """
                        plugins: [ { name: d, type: prefix-based-pd-decider } ]
                        profiles: [ { name: default, plugins: [ { ref: d } ] } ]""",
                        "is not a filter, scorer or picker"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidPoliciesAreRejectedPrecisely(String name, String yaml, String expectedMessage) {
        assertThatThrownBy(() -> loader.load(yaml, "test")).isInstanceOf(PolicyException.class)
                .hasMessageContaining(expectedMessage);
    }
}
