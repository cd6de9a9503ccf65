package dev.switchboard.gateway.auth;

import java.util.Optional;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import dev.switchboard.contract.tenants.Tenant;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.support.NacosConfigWatch;
import dev.switchboard.support.TenantsSource;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The tenants the gateway authenticates, from {@code switchboard.gateway.auth.tenants-file} and/or
 * Nacos config {@code switchboard-tenants.yaml} (group {@code SWITCHBOARD}), both watched; an invalid
 * version is rejected and the last good tenants stay in force.
 */
@Component
public class TenantDirectory implements SmartLifecycle {
    private final TenantsSource source;
    private final TenantsSource.Settings settings;
    private volatile boolean running;

    public TenantDirectory(@Value("${switchboard.gateway.auth.tenants-file:}") String tenantsFile,
            @Value("${switchboard.gateway.auth.nacos-config.enabled:false}") boolean nacosEnabled,
            @Value("${switchboard.gateway.auth.nacos-config.data-id:switchboard-tenants.yaml}") String dataId,
            @Value("${switchboard.gateway.auth.nacos-config.group:SWITCHBOARD}") String group,
            Environment environment, MeterRegistry meters) {
        this.source = new TenantsSource(applied -> meters.counter("switchboard_gateway_tenants_updates",
                "result", applied ? "applied" : "rejected").increment());
        this.settings = new TenantsSource.Settings(tenantsFile, nacosEnabled,
                NacosConfigWatch.Server.ofDiscoverySettings(environment), dataId, group);
    }

    /** The tenant owning {@code apiKey}. */
    public Optional<Tenant> byApiKey(String apiKey) {
        return source.current().byApiKey(apiKey);
    }

    public TenantsConfig current() {
        return source.current();
    }

    @Override
    public void start() {
        source.start(settings);
        running = true;
    }

    @Override
    public void stop() {
        source.close();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 2000;
    }
}
