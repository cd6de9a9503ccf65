package dev.switchboard.adapter.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.alibaba.cloud.nacos.NacosDiscoveryProperties;
import com.alibaba.cloud.nacos.NacosServiceManager;
import com.alibaba.nacos.api.naming.pojo.Instance;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;

class NacosEngineRegistrarTest {

    private static AdapterProperties.Engine engine(int port, String id, EngineRole role) {
        return new AdapterProperties.Engine(port, id, role, EngineKind.VLLM, "llama-3-8b", List.of(),
                URI.create("http://127.0.0.1:" + (port - 70)), "H100-80GB", 1, 80, 16, 430_000, 131_072, 32_768,
                PdTransferKind.NIXL, 0, "node-a", "");
    }

    @Test
    void everyEngineBecomesOneInstanceAtItsListenerWithTheDescriptorAsMetadata() {
        AdapterProperties adapter = new AdapterProperties("127.0.0.1", "127.0.0.1", Duration.ofSeconds(2),
                List.of(engine(8071, "prefill-1", EngineRole.PREFILL), engine(8073, "decode-1", EngineRole.DECODE)));
        NacosDiscoveryProperties nacos = new NacosDiscoveryProperties();
        NacosEngineRegistrar registrar = new NacosEngineRegistrar(adapter, nacos, new NacosServiceManager());

        List<Instance> instances = registrar.instances();

        assertThat(instances).extracting(Instance::getIp).containsOnly("127.0.0.1");
        assertThat(instances).extracting(Instance::getPort).containsExactly(8071, 8073);
        assertThat(instances).allMatch(Instance::isEphemeral);
        EngineDescriptor decode = EngineDescriptor.fromMetadata(instances.get(1).getMetadata());
        assertThat(decode).isEqualTo(adapter.engines().get(1).descriptor());
        assertThat(decode.role()).isEqualTo(EngineRole.DECODE);
    }
}
