package dev.switchboard.scheduler;

import java.time.Clock;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.engine.PolicyLoader;
import dev.switchboard.scheduler.observability.MicrometerCycleObserver;
import dev.switchboard.scheduler.plugins.BuiltinPlugins;
import dev.switchboard.scheduler.service.PolicyStore;
import dev.switchboard.scheduler.service.SchedulerService;
import dev.switchboard.support.NacosConfigWatch;
import dev.switchboard.support.TenantsSource;
import io.micrometer.core.instrument.MeterRegistry;

/** Wires the scheduler's framework-free parts into Spring. */
@Configuration(proxyBeanMethods = false)
public class SchedulerConfiguration {
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
     * Tenants for admission, from {@code switchboard.scheduler.tenants-file} and/or Nacos config
     * {@code switchboard-tenants.yaml} (watched), pushed into the scheduler on every valid version.
     */
    @Bean(destroyMethod = "close")
    TenantsSource tenantsSource(SchedulerProperties properties, SchedulerService scheduler, MeterRegistry meters,
            NacosConfigWatch.Server nacos,
            @Value("${switchboard.scheduler.nacos-config.enabled:false}") boolean nacosEnabled,
            @Value("${switchboard.scheduler.nacos-config.tenants-data-id:switchboard-tenants.yaml}") String dataId,
            @Value("${switchboard.scheduler.nacos-config.group:SWITCHBOARD}") String group) {
        TenantsSource source = new TenantsSource(applied -> meters.counter("switchboard_scheduler_tenants_updates",
                "result", applied ? "applied" : "rejected").increment());
        source.onChange(scheduler::tenants);
        return source.start(new TenantsSource.Settings(properties.tenantsFile(), nacosEnabled, nacos, dataId, group));
    }

    /** The Nacos server the config sources read, from Spring Cloud Alibaba's discovery settings. */
    @Bean
    NacosConfigWatch.Server nacosConfigServer(Environment environment) {
        return NacosConfigWatch.Server.ofDiscoverySettings(environment);
    }

    /** The policy store; {@code PolicySources} fills it. */
    @Bean
    PolicyStore policyStore(PolicyLoader loader, MeterRegistry meters, Clock clock) {
        return new PolicyStore(loader, new MicrometerCycleObserver(meters), clock, meters);
    }
}
