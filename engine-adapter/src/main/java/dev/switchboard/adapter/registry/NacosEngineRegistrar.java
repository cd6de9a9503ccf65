package dev.switchboard.adapter.registry;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import com.alibaba.cloud.nacos.NacosDiscoveryProperties;
import com.alibaba.cloud.nacos.NacosServiceManager;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.contract.MetadataKeys;

/**
 * Registers every fronted engine in Nacos as an instance of {@value MetadataKeys#ENGINES_SERVICE},
 * at the engine's listener port, with the engine descriptor as instance metadata.
 *
 * <p>Spring Cloud Alibaba's automatic registration covers one instance per application (its own
 * web port), so the engines are registered through the {@link NamingService} that Spring Cloud
 * Alibaba configures from {@code spring.cloud.nacos.discovery.*}. They go in one
 * {@code batchRegisterInstance} call because a Nacos 2+/3 gRPC client keeps one registration per
 * service: registering a second instance of the same service with {@code registerInstance} would
 * replace the first.
 */
@Component
@ConditionalOnProperty(name = "spring.cloud.nacos.discovery.enabled", havingValue = "true")
public class NacosEngineRegistrar implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NacosEngineRegistrar.class);

    private final AdapterProperties adapter;
    private final NacosDiscoveryProperties nacos;
    private final NacosServiceManager nacosServices;
    private volatile boolean registered;

    public NacosEngineRegistrar(AdapterProperties adapter, NacosDiscoveryProperties nacos, NacosServiceManager nacosServices) {
        this.adapter = adapter;
        this.nacos = nacos;
        this.nacosServices = nacosServices;
    }

    List<Instance> instances() {
        return adapter.engines().stream().map(engine -> {
            Instance instance = new Instance();
            instance.setIp(adapter.advertisedHost());
            instance.setPort(engine.listenPort());
            instance.setClusterName(nacos.getClusterName());
            instance.setWeight(1.0);
            instance.setEphemeral(true);
            instance.setHealthy(true);
            instance.setEnabled(true);
            instance.setMetadata(engine.descriptor().toMetadata());
            return instance;
        }).toList();
    }

    @Override
    public void start() {
        try {
            naming().batchRegisterInstance(MetadataKeys.ENGINES_SERVICE, nacos.getGroup(), instances());
            registered = true;
            log.info("registered {} engine(s) in Nacos {} as {} (group {})", adapter.engines().size(), nacos.getServerAddr(),
                    MetadataKeys.ENGINES_SERVICE, nacos.getGroup());
        } catch (NacosException e) {
            throw new IllegalStateException("could not register engines in Nacos at " + nacos.getServerAddr() + ": "
                    + e.getErrMsg(), e);
        }
    }

    @Override
    public void stop() {
        if (!registered) {
            return;
        }
        try {
            naming().batchDeregisterInstance(MetadataKeys.ENGINES_SERVICE, nacos.getGroup(), instances());
            log.info("deregistered engines from Nacos");
        } catch (NacosException e) {
            log.warn("could not deregister engines from Nacos (they expire with the client's heartbeat): {}", e.getErrMsg());
        }
        registered = false;
    }

    @Override
    public boolean isRunning() {
        return registered;
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE;
    }

    private NamingService naming() {
        return nacosServices.getNamingService();
    }
}
