package dev.switchboard.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.tenants.TenantsConfig;

/** The Nacos configs registry-config ships (imported by docker-compose's nacos-init). */
class NacosConfigFilesTest {
    @Test
    void schedulerConfigIsTheDefaultPreset() {
        String shipped = Repo.read(Repo.NACOS_CONFIG.resolve("switchboard-scheduler.yaml"));
        String preset = Repo.read(Repo.ROOT.resolve("scheduler-service/src/main/resources/policies/switchboard-default.yaml"));
        assertThat(shipped).as("switchboard-scheduler.yaml must equal the scheduler's switchboard-default preset").isEqualTo(preset);
    }

    @Test
    void tenantsExampleIsValidAndItsDocumentedDemoKeysWork() {
        String yaml = Repo.read(Repo.NACOS_CONFIG.resolve("switchboard-tenants.yaml"));
        TenantsConfig tenants = TenantsConfig.parse(yaml);
        assertThat(tenants.tenants()).isNotEmpty();
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^#\\s+([A-Za-z0-9._-]+)\\s*:\\s*(sk-\\S+)\\s*$").matcher(yaml);
        while (m.find()) {
            documented.put(m.group(1), m.group(2));
        }
        assertThat(documented.keySet()).as("every tenant's demo key is documented in the file's header")
                .containsExactlyInAnyOrderElementsOf(tenants.tenants().stream().map(t -> t.id()).toList());
        documented.forEach((id, key) -> assertThat(tenants.byApiKey(key)).as("key documented for " + id)
                .hasValueSatisfying(t -> assertThat(t.id()).isEqualTo(id)));
    }
}
