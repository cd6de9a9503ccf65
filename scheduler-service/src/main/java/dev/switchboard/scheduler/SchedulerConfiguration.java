package dev.switchboard.scheduler;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.engine.PolicyLoader;
import dev.switchboard.scheduler.observability.MicrometerCycleObserver;
import dev.switchboard.scheduler.plugins.BuiltinPlugins;
import dev.switchboard.scheduler.service.PolicyStore;
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

    /** The policy store; {@code PolicySources} fills it. */
    @Bean
    PolicyStore policyStore(PolicyLoader loader, MeterRegistry meters, Clock clock) {
        return new PolicyStore(loader, new MicrometerCycleObserver(meters), clock, meters);
    }
}
