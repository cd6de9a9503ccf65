package dev.switchboard.scheduler;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.engine.PolicyLoader;
import dev.switchboard.scheduler.observability.MicrometerCycleObserver;
import dev.switchboard.scheduler.plugins.BuiltinPlugins;
import dev.switchboard.scheduler.service.PolicyFileWatcher;
import dev.switchboard.scheduler.service.PolicyStore;
import io.micrometer.core.instrument.MeterRegistry;

/** Wires the scheduler's framework-free parts into Spring. */
@Configuration(proxyBeanMethods = false)
public class SchedulerConfiguration {
    private static final Logger log = LoggerFactory.getLogger(SchedulerConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    PrefixIndex prefixIndex() {
        return new PrefixIndex();
    }

    @Bean
    PolicyLoader policyLoader() {
        return new PolicyLoader(BuiltinPlugins.registry());
    }

    /**
     * The policy store, started with the policy file if one is configured (a bad file stops the
     * scheduler: there is no last good policy yet), else with the configured preset.
     */
    @Bean
    PolicyStore policyStore(PolicyLoader loader, MeterRegistry meters, Clock clock, SchedulerProperties properties,
            TaskScheduler tasks) {
        PolicyStore store = new PolicyStore(loader, new MicrometerCycleObserver(meters), clock, meters);
        if (!properties.policyFile().isBlank()) {
            Path path = Path.of(properties.policyFile());
            store.apply(PolicyStore.file(path), "file " + path);
            PolicyFileWatcher watcher = new PolicyFileWatcher(path, store);
            tasks.scheduleWithFixedDelay(watcher::check, Duration.ofMillis(properties.policyFileCheck().toMillis()));
            log.info("watching policy file {} every {}", path, properties.policyFileCheck());
        } else {
            store.apply(PolicyStore.preset(properties.policyPreset()), "preset " + properties.policyPreset());
        }
        return store;
    }
}
