package dev.switchboard.adapter.registry;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import com.alibaba.cloud.nacos.NacosDiscoveryProperties;
import com.alibaba.cloud.nacos.NacosServiceManager;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.wire.LifecycleEvent;

/**
 * Keeps every fronted engine registered in Nacos as an instance of {@value MetadataKeys#ENGINES_SERVICE},
 * at the engine's listener port, with its resolved descriptor as instance metadata, and in step with
 * its lifecycle.
 *
 * <p>Spring Cloud Alibaba's automatic registration covers one instance per application (its own
 * web port), so the engines are registered through the {@link NamingService} that Spring Cloud
 * Alibaba configures from {@code spring.cloud.nacos.discovery.*}. A Nacos 2+/3 gRPC client keeps one
 * registration per service, so the whole set always goes in one {@code batchRegisterInstance} call,
 * which replaces the previous set; it is re-sent on every change:
 * <ul>
 *   <li>an engine appears once its descriptor is resolved (kind and KV facts read from it);</li>
 *   <li>an unhealthy engine is published with {@code healthy=false, enabled=false}, a draining one with
 *       {@code enabled=false}: Nacos keeps both flags of self-published ephemeral instances. A Nacos
 *       server never hands disabled instances to clients (queries and pushes filter them), so both
 *       leave every client's view, Spring Cloud's discovery client (and so the scheduler) included,
 *       whatever the service's health-protection threshold; the Nacos console and admin API still list
 *       them, offline and (if sick) unhealthy. The Nacos 3 client deprecates
 *       {@code NamingMaintainService.updateInstance}, and Spring Cloud Alibaba's own
 *       {@code setStatus("DOWN")} deregisters outright, which would hide a sick engine from operators;</li>
 *   <li>a deregistered (drained) engine is left out of the set; when none is left the set is withdrawn
 *       with {@code batchDeregisterInstance}.</li>
 * </ul>
 * Calls to Nacos run on one background thread, coalesced, so lifecycle changes never wait for Nacos;
 * a failed call is retried every 5 s.
 */
public class NacosEngineRegistrar implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NacosEngineRegistrar.class);

    private final AdapterProperties adapter;
    private final EngineFleet fleet;
    private final NacosDiscoveryProperties nacos;
    private final NacosServiceManager nacosServices;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private ScheduledExecutorService publisher;
    private volatile boolean running;
    private List<Instance> published = List.of();

    public NacosEngineRegistrar(AdapterProperties adapter, EngineFleet fleet, NacosDiscoveryProperties nacos,
            NacosServiceManager nacosServices) {
        this.adapter = adapter;
        this.fleet = fleet;
        this.nacos = nacos;
        this.nacosServices = nacosServices;
        fleet.endpoints().forEach(e -> e.onChange(this::changed));
    }

    /** The instances to publish now: resolved, not deregistered engines, flagged by lifecycle. */
    List<Instance> instances() {
        return fleet.endpoints().stream()
                .filter(e -> e.descriptor() != null && e.lifecycle().state() != LifecycleEvent.State.DEREGISTERED)
                .map(this::instance)
                .toList();
    }

    private Instance instance(EngineEndpoint endpoint) {
        LifecycleEvent.State state = endpoint.lifecycle().state();
        Instance instance = new Instance();
        instance.setIp(adapter.advertisedHost());
        instance.setPort(endpoint.config().listenPort());
        instance.setClusterName(nacos.getClusterName());
        instance.setWeight(1.0);
        instance.setEphemeral(true);
        instance.setHealthy(state != LifecycleEvent.State.UNHEALTHY);
        instance.setEnabled(state == LifecycleEvent.State.READY);
        instance.setMetadata(endpoint.descriptor().toMetadata());
        return instance;
    }

    @Override
    public synchronized void start() {
        publisher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nacos-engine-registrar");
            t.setDaemon(true);
            return t;
        });
        running = true;
        publish();
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (publisher != null) {
            publisher.shutdown();
            try {
                publisher.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        withdraw();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the listeners and watchers start; stops after the shutdown drain has deregistered the engines. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 100;

    @Override
    public int getPhase() {
        return PHASE;
    }

    private void changed() {
        ScheduledExecutorService p = publisher;
        if (running && p != null && dirty.compareAndSet(false, true)) {
            try {
                p.execute(() -> {
                    dirty.set(false);
                    publish();
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                dirty.set(false);
            }
        }
    }

    /** Publishes the current set (synchronously). */
    synchronized void publish() {
        List<Instance> instances = instances();
        try {
            if (instances.isEmpty()) {
                withdraw();
                return;
            }
            naming().batchRegisterInstance(MetadataKeys.ENGINES_SERVICE, nacos.getGroup(), instances);
            if (published.size() != instances.size()) {
                log.info("registered {} engine(s) in Nacos {} as {} (group {})", instances.size(), nacos.getServerAddr(),
                        MetadataKeys.ENGINES_SERVICE, nacos.getGroup());
            }
            published = instances;
        } catch (NacosException e) {
            log.error("could not register engines in Nacos at {}: {} (retrying in 5 s)", nacos.getServerAddr(), e.getErrMsg());
            ScheduledExecutorService p = publisher;
            if (running && p != null && !p.isShutdown()) {
                p.schedule(this::changed, 5, TimeUnit.SECONDS);
            }
        }
    }

    private synchronized void withdraw() {
        if (published.isEmpty()) {
            return;
        }
        try {
            naming().batchDeregisterInstance(MetadataKeys.ENGINES_SERVICE, nacos.getGroup(), published);
            log.info("deregistered {} engine(s) from Nacos", published.size());
        } catch (NacosException e) {
            log.warn("could not deregister engines from Nacos (they expire with the client's connection): {}", e.getErrMsg());
        }
        published = List.of();
    }

    private NamingService naming() {
        return nacosServices.getNamingService();
    }
}
