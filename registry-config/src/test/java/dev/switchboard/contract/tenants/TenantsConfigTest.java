package dev.switchboard.contract.tenants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TenantsConfigTest {
    private static final String ACME_KEY_HASH = TenantsConfig.sha256Hex("sk-acme");

    @Test
    void parsesTenantsWithDefaultsAndFindsThemByKey() {
        TenantsConfig config = TenantsConfig.parse("""
                tenants:
                  - id: acme
                    api-key-sha256: [ "%s" ]
                    weight: 2
                    priority: 1
                    tokens-per-minute: 100000
                    max-queued: 10
                  - id: free-tier
                """.formatted(ACME_KEY_HASH));
        Tenant acme = config.byApiKey("sk-acme").orElseThrow();
        assertThat(acme.id()).isEqualTo("acme");
        assertThat(acme.weight()).isEqualTo(2.0);
        assertThat(acme.priority()).isEqualTo(1);
        assertThat(acme.tokensPerMinute()).isEqualTo(100_000);
        assertThat(acme.maxQueued()).isEqualTo(10);
        assertThat(config.byApiKey("sk-other")).isEmpty();
        Tenant free = config.byId("free-tier").orElseThrow();
        assertThat(free.weight()).isEqualTo(1.0);
        assertThat(free.hasQuota()).isFalse();
        assertThat(free.maxQueued()).isEqualTo(TenantsConfig.DEFAULT_MAX_QUEUED);
    }

    @Test
    void sha256MatchesTheShellRecipe() {
        // printf %s sk-acme | sha256sum
        assertThat(TenantsConfig.sha256Hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("not YAML", "tenants: [", "not valid YAML"),
                Arguments.of("unknown top key", "tenant: []", "unknown key 'tenant'"),
                Arguments.of("unknown tenant key", "tenants: [ { id: a, quota: 5 } ]", "unknown key 'tenants[0].quota'"),
                Arguments.of("missing id", "tenants: [ { weight: 1 } ]", "tenants[0].id is required"),
                Arguments.of("plain key instead of hash", "tenants: [ { id: a, api-key-sha256: [ sk-plain ] } ]",
                        "must be 64 lower-case hex characters"),
                Arguments.of("zero weight", "tenants: [ { id: a, weight: 0 } ]", "weight must be a finite number > 0"),
                Arguments.of("text for a number", "tenants: [ { id: a, priority: high } ]", "tenants[0].priority must be a number"),
                Arguments.of("negative quota", "tenants: [ { id: a, tokens-per-minute: -1 } ]", "tokens-per-minute must be >= 0"),
                Arguments.of("duplicate id", "tenants: [ { id: a }, { id: a } ]", "id 'a' is used twice"),
                Arguments.of("key shared by two tenants", """
                        tenants:
                          - { id: a, api-key-sha256: [ "%1$s" ] }
                          - { id: b, api-key-sha256: [ "%1$s" ] }
                        """.formatted(ACME_KEY_HASH), "also listed for tenant 'a'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsInvalidConfigPrecisely(String name, String yaml, String message) {
        assertThatThrownBy(() -> TenantsConfig.parse(yaml)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void emptyDocumentMeansNoTenants() {
        assertThat(TenantsConfig.parse("").tenants()).isEmpty();
        assertThat(TenantsConfig.parse("tenants:").tenants()).isEmpty();
    }
}
