package dev.switchboard.adapter;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.alibaba.cloud.nacos.NacosDiscoveryProperties;
import com.alibaba.cloud.nacos.NacosServiceManager;

import dev.switchboard.adapter.admin.AdminAuthFilter;
import dev.switchboard.adapter.admin.AdminRoutes;
import dev.switchboard.adapter.discovery.GpuProbe;
import dev.switchboard.adapter.discovery.NvidiaSmiGpuProbe;
import dev.switchboard.adapter.engine.Drainer;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.engine.EngineMonitors;
import dev.switchboard.adapter.engine.ShutdownDrain;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.proxy.EngineListeners;
import dev.switchboard.adapter.registry.NacosEngineRegistrar;
import io.micrometer.core.instrument.MeterRegistry;

/** The adapter's components, wired from {@link AdapterProperties}. */
@Configuration(proxyBeanMethods = false)
public class AdapterConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    EngineFleet engineFleet(AdapterProperties properties, Clock clock, AdapterMetrics metrics) {
        EngineFleet fleet = new EngineFleet(properties, clock, AdapterJson.MAPPER);
        fleet.endpoints().forEach(metrics::bind);
        return fleet;
    }

    @Bean
    AdapterMetrics adapterMetrics(MeterRegistry registry) {
        return new AdapterMetrics(registry);
    }

    /**
     * The clients towards engines and peer adapters (see {@link EngineClients}). Built from a plain builder,
     * not Boot's: Boot's adds an {@code http.client.requests} observation to every relayed request and
     * every 100 ms scrape, which the adapter's own {@code switchboard_adapter_*} metrics make redundant.
     */
    @Bean
    EngineClients engineClients(AdapterProperties properties) {
        return EngineClients.create(WebClient.builder(), properties);
    }

    @Bean
    GpuProbe gpuProbe(AdapterProperties properties) {
        return properties.gpu().detect() ? new NvidiaSmiGpuProbe(properties.gpu().command(), properties.gpu().timeout())
                : GpuProbe.none();
    }

    @Bean
    EngineListeners engineListeners(AdapterProperties properties, EngineFleet fleet, EngineClients engineClients,
            AdapterMetrics metrics) {
        return new EngineListeners(properties, fleet, engineClients, metrics);
    }

    @Bean
    EngineMonitors engineMonitors(EngineFleet fleet, AdapterProperties properties, EngineClients engineClients,
            AdapterMetrics metrics, GpuProbe gpuProbe) {
        return new EngineMonitors(fleet, properties, engineClients.web(), metrics, gpuProbe);
    }

    @Bean
    Drainer drainer(AdapterProperties properties) {
        return new Drainer(properties.drainTimeout());
    }

    @Bean
    ShutdownDrain shutdownDrain(EngineFleet fleet, Drainer drainer, AdapterProperties properties) {
        return new ShutdownDrain(fleet, drainer, properties.drainTimeout());
    }

    @Bean
    RouterFunction<ServerResponse> adminRoutes(EngineFleet fleet, Drainer drainer) {
        return new AdminRoutes(fleet, drainer).routes();
    }

    @Bean
    AdminAuthFilter adminAuthFilter(AdapterProperties properties) {
        if (!properties.adminProtected()) {
            org.slf4j.LoggerFactory.getLogger(AdminAuthFilter.class).warn(
                    "admin endpoints are OPEN (switchboard.adapter.admin-open=true, no admin-token): local runs only");
        }
        return new AdminAuthFilter(properties.adminToken());
    }

    @Bean
    @ConditionalOnProperty(name = "spring.cloud.nacos.discovery.enabled", havingValue = "true")
    NacosEngineRegistrar nacosEngineRegistrar(AdapterProperties properties, EngineFleet fleet, NacosDiscoveryProperties nacos,
            NacosServiceManager nacosServices) {
        return new NacosEngineRegistrar(properties, fleet, nacos, nacosServices);
    }
}
