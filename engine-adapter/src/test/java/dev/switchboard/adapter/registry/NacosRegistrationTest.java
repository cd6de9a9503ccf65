package dev.switchboard.adapter.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import com.alibaba.cloud.nacos.NacosDiscoveryProperties;
import com.alibaba.cloud.nacos.NacosServiceManager;
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

/**
 * Registers engines in a real Nacos and reads them back as the scheduler does. Runs against
 * {@code NACOS_SERVER_ADDR} (with {@code NACOS_USERNAME}/{@code NACOS_PASSWORD}) when set, else
 * against a Nacos 3.0.3 container; skipped when neither is available (no Docker in CI).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NacosRegistrationTest {
    private static GenericContainer<?> nacos;
    private static String serverAddr;

    @BeforeAll
    static void nacos() {
        serverAddr = System.getenv("NACOS_SERVER_ADDR");
        if (serverAddr != null && !serverAddr.isBlank()) {
            return;
        }
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "no NACOS_SERVER_ADDR and no Docker: skipping the Nacos registration test");
        nacos = new GenericContainer<>(DockerImageName.parse("nacos/nacos-server:v3.0.3"))
                .withEnv("MODE", "standalone")
                .withEnv("NACOS_AUTH_ENABLE", "false")
                // Nacos 3 refuses to start without these, even with auth disabled
                .withEnv("NACOS_AUTH_TOKEN", "U3dpdGNoYm9hcmRUZXN0T25seVNlY3JldEtleUZvck5hY29zMzJCeXRlcw==")
                .withEnv("NACOS_AUTH_IDENTITY_KEY", "switchboard")
                .withEnv("NACOS_AUTH_IDENTITY_VALUE", "switchboard")
                .withExposedPorts(8848, 9848)
                .waitingFor(Wait.forLogMessage(".*Nacos started successfully.*", 1).withStartupTimeout(Duration.ofMinutes(3)));
        nacos.start();
        int http = nacos.getMappedPort(8848);
        // the client reaches gRPC at http port + offset; Docker maps the two ports independently
        System.setProperty("nacos.server.grpc.port.offset", Integer.toString(nacos.getMappedPort(9848) - http));
        serverAddr = nacos.getHost() + ":" + http;
    }

    @AfterAll
    static void stop() {
        if (nacos != null) {
            nacos.stop();
        }
    }

    private static AdapterProperties.Engine engine(int port, String id, EngineRole role) {
        return Engines.engine(port, id, role, AdapterProperties.EngineKindSetting.VLLM, "http://127.0.0.1:" + (port - 70),
                PdTransferKind.NIXL, "");
    }

    @Test
    void enginesRegisterWithTheirDescriptorAndDeregisterOnStop() throws Exception {
        NacosDiscoveryProperties properties = new NacosDiscoveryProperties();
        properties.setServerAddr(serverAddr);
        properties.setUsername(System.getenv().getOrDefault("NACOS_USERNAME", "nacos"));
        properties.setPassword(System.getenv().getOrDefault("NACOS_PASSWORD", "nacos"));
        properties.setGroup("SWITCHBOARD_IT_" + System.nanoTime());
        properties.setIp("127.0.0.1");
        NacosServiceManager manager = new NacosServiceManager();
        manager.setNacosDiscoveryProperties(properties);
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

        // an unhealthy engine is hidden from healthy-instance selection, and comes back
        fleet.endpoint("prefill-it").orElseThrow().health(false, "test");
        assertThat(awaitHealthy(naming, properties.getGroup(), 1)).extracting(Instance::getPort).containsExactly(18073);
        fleet.endpoint("prefill-it").orElseThrow().health(true, "");
        assertThat(awaitHealthy(naming, properties.getGroup(), 2)).hasSize(2);

        // a drained engine leaves the registry while the other stays
        EngineEndpoint decode = fleet.endpoint("decode-it").orElseThrow();
        decode.startDrain("test");
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
