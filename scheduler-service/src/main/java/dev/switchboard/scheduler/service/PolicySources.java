package dev.switchboard.scheduler.service;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.switchboard.scheduler.SchedulerProperties;
import dev.switchboard.scheduler.engine.PolicyException;
import dev.switchboard.support.ConfigWatch;
import dev.switchboard.support.FileConfigWatch;
import dev.switchboard.support.NacosConfigWatch;

/**
 * Feeds the {@link PolicyStore} from the configured sources, in order: the built-in preset, then
 * the policy file (watched; a bad file at startup stops the scheduler, a bad edit later is
 * rejected), then Nacos config when enabled (watched; a bad version is rejected and the last good
 * policy stays, also at startup, so a bad edit in the console never stops a restarting scheduler).
 */
@Component
public class PolicySources implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(PolicySources.class);

    private final PolicyStore store;
    private final SchedulerProperties properties;
    private final boolean nacosEnabled;
    private final NacosConfigWatch.Server nacos;
    private final String dataId;
    private final String group;
    private final List<ConfigWatch> watches = new ArrayList<>();
    private volatile boolean running;

    public PolicySources(PolicyStore store, SchedulerProperties properties,
            NacosConfigWatch.Server nacos,
            @Value("${switchboard.scheduler.nacos-config.enabled:false}") boolean nacosEnabled,
            @Value("${switchboard.scheduler.nacos-config.data-id:switchboard-scheduler.yaml}") String dataId,
            @Value("${switchboard.scheduler.nacos-config.group:SWITCHBOARD}") String group) {
        this.store = store;
        this.properties = properties;
        this.nacosEnabled = nacosEnabled;
        this.nacos = nacos;
        this.dataId = dataId;
        this.group = group;
        // the preset is in force from construction on, so the scheduler can decide before any source answers
        store.apply(PolicyStore.preset(properties.policyPreset()), "preset " + properties.policyPreset());
    }

    @Override
    public void start() {
        if (!properties.policyFile().isBlank()) {
            Path path = Path.of(properties.policyFile());
            watches.add(FileConfigWatch.start(path, properties.policyFileCheck(), text -> store.apply(text, "file " + path)));
            log.info("watching policy file {} every {}", path, properties.policyFileCheck());
        }
        if (nacosEnabled) {
            String source = "nacos " + group + "/" + dataId;
            watches.add(NacosConfigWatch.start(nacos, dataId, group, text -> {
                try {
                    store.apply(text, source);
                } catch (PolicyException rejected) {
                    // recorded by the store (log, metric, admin API); the last good policy stays
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

    /** Start before the web server takes requests. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 2000;
    }
}
