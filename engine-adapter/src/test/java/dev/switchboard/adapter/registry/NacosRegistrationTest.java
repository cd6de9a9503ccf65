package dev.switchboard.adapter.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;

import com.alibaba.cloud.nacos.NacosDiscoveryProperties;
import com.alibaba.cloud.nacos.NacosServiceAutoConfiguration;
import com.alibaba.cloud.nacos.NacosServiceManager;
import com.alibaba.cloud.nacos.discovery.NacosDiscoveryAutoConfiguration;
import com.alibaba.cloud.nacos.discovery.NacosServiceDiscovery;
import com.alibaba.cloud.nacos.util.UtilIPv6AutoConfiguration;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.support.Engines;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.testkit.NacosTestServer;

/**
 * Registers engines in a real Nacos and reads them back as the scheduler does. Runs against
 * {@code NACOS_SERVER_ADDR} (with {@code NACOS_USERNAME}/{@code NACOS_PASSWORD}) when set, else
 * against a Nacos 3.0.3 container; skipped when neither is available (no Docker in CI).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NacosRegistrationTest {
    private static NacosTestServer nacos;

    @BeforeAll
    static void nacos() {
        nacos = NacosTestServer.startOrSkip("the Nacos registration test");
    }

    @AfterAll
    static void stop() {
        if (nacos != null) {
            nacos.close();
        }
    }

    private static AdapterProperties.Engine engine(int port, String id, EngineRole role) {
        return Engines.engine(port, id, role, AdapterProperties.EngineKindSetting.VLLM, "http://127.0.0.1:" + (port - 70),
                PdTransferKind.NIXL, "");
    }

    @Test
    void enginesRegisterWithTheirDescriptorAndDeregisterOnStop() {
        // the discovery beans exactly as the adapter and the scheduler get them: Spring Cloud Alibaba's
        // auto-configuration over spring.cloud.nacos.discovery.* (what application-nacos.yml sets)
        String group = "SWITCHBOARD_IT_" + System.nanoTime();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(UtilAutoConfiguration.class, UtilIPv6AutoConfiguration.class,
                        NacosServiceAutoConfiguration.class, NacosDiscoveryAutoConfiguration.class))
                .withPropertyValues(
                        "spring.cloud.nacos.discovery.server-addr=" + nacos.serverAddr(),
                        "spring.cloud.nacos.discovery.username=" + nacos.username(),
                        "spring.cloud.nacos.discovery.password=" + nacos.password(),
                        "spring.cloud.nacos.discovery.group=" + group,
                        "spring.cloud.nacos.discovery.ip=127.0.0.1")
                .run(context -> registerAndReadBack(context.getBean(NacosDiscoveryProperties.class),
                        context.getBean(NacosServiceManager.class), context.getBean(NacosServiceDiscovery.class)));
    }

    private static void registerAndReadBack(NacosDiscoveryProperties properties, NacosServiceManager manager,
            NacosServiceDiscovery discovery) throws Exception {
        AdapterProperties adapter = Engines.adapter(engine(18071, "prefill-it", EngineRole.PREFILL),
                engine(18073, "decode-it", EngineRole.DECODE));
        EngineFleet fleet = new EngineFleet(adapter, Clock.systemUTC(), AdapterJson.MAPPER);
        for (EngineEndpoint e : fleet.endpoints()) {
            e.resolve(e.config().descriptor(EngineKind.VLLM, 16, 430_000, 32_768, "H100-80GB", 1, 80));
            e.health(true, "");
        }
        NacosEngineRegistrar registrar = new NacosEngineRegistrar(adapter, fleet, properties, manager);
        NamingService naming = manager.getNamingService();

        registrar.start();
        List<Instance> found = awaitInstances(naming, properties.getGroup(), 2);
        assertThat(found).extracting(i -> EngineDescriptor.fromMetadata(i.getMetadata()).endpointId())
                .containsExactlyInAnyOrder("prefill-it", "decode-it");
        assertThat(found).extracting(Instance::getPort).containsExactlyInAnyOrder(18071, 18073);
        assertThat(found).extracting(Instance::getIp).containsOnly("127.0.0.1");
        // what the scheduler's discovery client hands over: the descriptor survives Spring Cloud's metadata
        List<ServiceInstance> discovered = discovery.getInstances(MetadataKeys.ENGINES_SERVICE);
        assertThat(discovered).extracting(i -> EngineDescriptor.fromMetadata(i.getMetadata()))
                .extracting(EngineDescriptor::endpointId, EngineDescriptor::role, EngineDescriptor::kvCapacityTokens)
                .containsExactlyInAnyOrder(tuple("prefill-it", EngineRole.PREFILL, 430_000L),
                        tuple("decode-it", EngineRole.DECODE, 430_000L));

        // an unhealthy engine is hidden from the clients (a Nacos server never hands out disabled instances,
        // only its console and admin API list them), so from the scheduler's discovery too; and it comes back
        fleet.endpoint("prefill-it").orElseThrow().health(false, "test");
        assertThat(awaitHealthy(naming, properties.getGroup(), 1)).extracting(Instance::getPort).containsExactly(18073);
        assertThat(naming.getAllInstances(MetadataKeys.ENGINES_SERVICE, properties.getGroup(), false))
                .extracting(Instance::getPort).containsExactly(18073);
        assertThat(discovery.getInstances(MetadataKeys.ENGINES_SERVICE)).extracting(ServiceInstance::getPort)
                .containsExactly(18073);
        fleet.endpoint("prefill-it").orElseThrow().health(true, "");
        assertThat(awaitHealthy(naming, properties.getGroup(), 2)).hasSize(2);

        // a drained engine leaves the registry while the other stays
        EngineEndpoint decode = fleet.endpoint("decode-it").orElseThrow();
        decode.startDrain("test");
        assertThat(awaitHealthy(naming, properties.getGroup(), 1)).extracting(Instance::getPort).containsExactly(18071);
        decode.markDeregistered("drained");
        assertThat(awaitInstances(naming, properties.getGroup(), 1)).extracting(Instance::getPort).containsExactly(18071);

        registrar.stop();
        assertThat(awaitInstances(naming, properties.getGroup(), 0)).isEmpty();
    }

    private static List<Instance> awaitHealthy(NamingService naming, String group, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Instance> instances;
        do {
            instances = naming.selectInstances(MetadataKeys.ENGINES_SERVICE, group, true, false);
            if (instances.size() == expected) {
                return instances;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return instances;
    }

    private static List<Instance> awaitInstances(NamingService naming, String group, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Instance> instances;
        do {
            instances = naming.getAllInstances(MetadataKeys.ENGINES_SERVICE, group, false);
            if (instances.size() == expected) {
                return instances;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return instances;
    }
}
