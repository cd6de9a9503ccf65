package dev.switchboard.adapter.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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

/** The registrar publishes the resolved engines with flags that follow their lifecycle. */
class NacosEngineRegistrarTest {
    /** What the registrar sent to Nacos: "register" or "deregister" with the instances. */
    record Call(String method, List<Instance> instances) {
    }

    private final List<Call> calls = new ArrayList<>();
    private EngineFleet fleet;
    private NacosEngineRegistrar registrar;

    @BeforeEach
    void setUp() {
        AdapterProperties adapter = Engines.adapter(
                Engines.engine(8071, "prefill-1", EngineRole.PREFILL, "http://127.0.0.1:8001"),
                Engines.engine(8073, "decode-1", EngineRole.DECODE, "http://127.0.0.1:8003"));
        fleet = new EngineFleet(adapter, Clock.systemUTC(), AdapterJson.MAPPER);
        NamingService fake = (NamingService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {NamingService.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "batchRegisterInstance" -> calls.add(new Call("register", List.copyOf((List<Instance>) args[2])));
                        case "batchDeregisterInstance" -> calls.add(new Call("deregister", List.copyOf((List<Instance>) args[2])));
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                    return null;
                });
        NacosServiceManager manager = new NacosServiceManager() {
            @Override
            public NamingService getNamingService() {
                return fake;
            }
        };
        registrar = new NacosEngineRegistrar(adapter, fleet, new NacosDiscoveryProperties(), manager);
    }

    private EngineEndpoint endpoint(String id) {
        return fleet.endpoint(id).orElseThrow();
    }

    private static EngineDescriptor resolved(EngineEndpoint e) {
        return e.config().descriptor(EngineKind.VLLM, 16, 9168, 8192, "H100-80GB-HBM3", 1, 80);
    }

    @Test
    void onlyResolvedEnginesAreRegisteredAtTheirListenerWithTheResolvedDescriptorAsMetadata() {
        assertThat(registrar.instances()).isEmpty();
        EngineEndpoint decode = endpoint("decode-1");
        decode.resolve(resolved(decode));
        decode.health(true, "");

        List<Instance> instances = registrar.instances();

        assertThat(instances).singleElement().satisfies(i -> {
            assertThat(i.getIp()).isEqualTo("127.0.0.1");
            assertThat(i.getPort()).isEqualTo(8073);
            assertThat(i.isEphemeral()).isTrue();
            assertThat(i.isHealthy()).isTrue();
            assertThat(i.isEnabled()).isTrue();
            assertThat(EngineDescriptor.fromMetadata(i.getMetadata())).isEqualTo(resolved(decode));
        });
    }

    @Test
    void unhealthyAndDrainingEnginesStayListedButDisabledAndDeregisteredOnesLeaveTheSet() {
        EngineEndpoint prefill = endpoint("prefill-1");
        EngineEndpoint decode = endpoint("decode-1");
        prefill.resolve(resolved(prefill));
        decode.resolve(resolved(decode));
        prefill.health(true, "");
        decode.health(true, "");
        registrar.publish();

        prefill.health(false, "GET /health answered 503");
        decode.startDrain("test");
        registrar.publish();
        Instance sick = registrar.instances().get(0);
        Instance draining = registrar.instances().get(1);
        assertThat(sick.isHealthy()).isFalse();
        assertThat(sick.isEnabled()).isFalse();
        assertThat(draining.isHealthy()).isTrue();
        assertThat(draining.isEnabled()).isFalse();

        decode.markDeregistered("drained");
        registrar.publish();
        assertThat(calls.get(calls.size() - 1).instances()).extracting(Instance::getPort).containsExactly(8071);

        prefill.startDrain("test");
        prefill.markDeregistered("drained");
        registrar.publish();
        assertThat(calls.get(calls.size() - 1)).satisfies(c -> {
            assertThat(c.method()).isEqualTo("deregister");
            assertThat(c.instances()).extracting(Instance::getPort).containsExactly(8071);
        });
        assertThat(calls).extracting(Call::method).containsExactly("register", "register", "register", "deregister");
    }
}
