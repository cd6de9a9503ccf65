package dev.switchboard.gateway.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.switchboard.contract.tenants.Tenant;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.support.ConfigWatch;
import dev.switchboard.support.FileConfigWatch;
import dev.switchboard.support.NacosConfigWatch;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The tenants the gateway authenticates, from {@code switchboard.gateway.auth.tenants-file}
 * (watched) and/or Nacos config {@code switchboard-tenants.yaml} (group {@code SWITCHBOARD},
 * watched). A new version is validated strictly first; an invalid one is rejected with a precise
 * log line and a metric, and the last good tenants stay in force.
 */
@Component
public class TenantDirectory implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(TenantDirectory.class);

    private final AtomicReference<TenantsConfig> current = new AtomicReference<>(TenantsConfig.empty());
    private final String tenantsFile;
    private final boolean nacosEnabled;
    private final NacosConfigWatch.Server nacos;
    private final String dataId;
    private final String group;
    private final MeterRegistry meters;
    private final List<ConfigWatch> watches = new ArrayList<>();
    private volatile boolean running;

    public TenantDirectory(@Value("${switchboard.gateway.auth.tenants-file:}") String tenantsFile,
            @Value("${switchboard.gateway.auth.nacos-config.enabled:false}") boolean nacosEnabled,
            @Value("${spring.cloud.nacos.discovery.server-addr:}") String serverAddr,
            @Value("${spring.cloud.nacos.discovery.username:}") String username,
            @Value("${spring.cloud.nacos.discovery.password:}") String password,
            @Value("${spring.cloud.nacos.discovery.namespace:}") String namespace,
            @Value("${switchboard.gateway.auth.nacos-config.data-id:switchboard-tenants.yaml}") String dataId,
            @Value("${switchboard.gateway.auth.nacos-config.group:SWITCHBOARD}") String group,
            MeterRegistry meters) {
        this.tenantsFile = tenantsFile;
        this.nacosEnabled = nacosEnabled;
        this.nacos = new NacosConfigWatch.Server(serverAddr, username, password, namespace);
        this.dataId = dataId;
        this.group = group;
        this.meters = meters;
    }

    /** The tenant owning {@code apiKey}. */
    public Optional<Tenant> byApiKey(String apiKey) {
        return current.get().byApiKey(apiKey);
    }

    public TenantsConfig current() {
        return current.get();
    }

    /** Validates and installs a new version; throws (and keeps the old one) if invalid. */
    public void apply(String yaml, String source) {
        try {
            TenantsConfig next = TenantsConfig.parse(yaml);
            current.set(next);
            meters.counter("switchboard_gateway_tenants_updates", "result", "applied").increment();
            log.info("tenants from {} applied: {} tenants", source, next.tenants().size());
        } catch (IllegalArgumentException e) {
            meters.counter("switchboard_gateway_tenants_updates", "result", "rejected").increment();
            log.error("rejected tenants from {}; keeping the previous ones: {}", source, e.getMessage());
            throw e;
        }
    }

    @Override
    public void start() {
        if (!tenantsFile.isBlank()) {
            Path path = Path.of(tenantsFile);
            watches.add(FileConfigWatch.start(path, Duration.ofSeconds(2), text -> apply(text, "file " + path)));
        }
        if (nacosEnabled) {
            watches.add(NacosConfigWatch.start(nacos, dataId, group, text -> {
                try {
                    apply(text, "nacos " + group + "/" + dataId);
                } catch (IllegalArgumentException rejected) {
                    // logged and counted; the last good tenants stay
                }
            }));
        }
        running = true;
    }

    @Override
    public void stop() {
        watches.forEach(ConfigWatch::close);
        watches.clear();
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
