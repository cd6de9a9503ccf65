package dev.switchboard.scheduler.service;

import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractListener;
import com.alibaba.nacos.api.exception.NacosException;

import dev.switchboard.scheduler.engine.PolicyException;

/**
 * Reads the scheduling policy from Nacos config ({@code switchboard-scheduler.yaml}, group
 * {@code SWITCHBOARD} by default) and applies every change pushed by Nacos, so an edit in the Nacos
 * console takes effect without a restart. Invalid edits are rejected by {@link PolicyStore} and the
 * last good policy stays.
 */
@Component
@ConditionalOnProperty(name = "switchboard.scheduler.nacos-config.enabled", havingValue = "true")
public class NacosPolicySource implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NacosPolicySource.class);

    private final PolicyStore store;
    private final Properties nacos = new Properties();
    private final String dataId;
    private final String group;
    private volatile ConfigService config;

    public NacosPolicySource(PolicyStore store,
            @Value("${spring.cloud.nacos.discovery.server-addr}") String serverAddr,
            @Value("${spring.cloud.nacos.discovery.username:}") String username,
            @Value("${spring.cloud.nacos.discovery.password:}") String password,
            @Value("${spring.cloud.nacos.discovery.namespace:}") String namespace,
            @Value("${switchboard.scheduler.nacos-config.data-id:switchboard-scheduler.yaml}") String dataId,
            @Value("${switchboard.scheduler.nacos-config.group:SWITCHBOARD}") String group) {
        this.store = store;
        this.dataId = dataId;
        this.group = group;
        nacos.put(PropertyKeyConst.SERVER_ADDR, serverAddr);
        if (!username.isBlank()) {
            nacos.put(PropertyKeyConst.USERNAME, username);
            nacos.put(PropertyKeyConst.PASSWORD, password);
        }
        if (!namespace.isBlank()) {
            nacos.put(PropertyKeyConst.NAMESPACE, namespace);
        }
    }

    @Override
    public void start() {
        try {
            config = NacosFactory.createConfigService(nacos);
            String content = config.getConfigAndSignListener(dataId, group, 5000, new AbstractListener() {
                @Override
                public void receiveConfigInfo(String configInfo) {
                    apply(configInfo);
                }
            });
            if (content == null) {
                log.info("no {} in Nacos group {}; keeping the configured policy", dataId, group);
            } else {
                apply(content);
            }
        } catch (NacosException e) {
            throw new IllegalStateException("could not read " + dataId + " from Nacos: " + e.getErrMsg(), e);
        }
    }

    private void apply(String content) {
        if (content == null || content.isBlank()) {
            return;
        }
        try {
            store.apply(content, "nacos " + group + "/" + dataId);
        } catch (PolicyException rejected) {
            // recorded by the store; the last good policy stays
        }
    }

    @Override
    public void stop() {
        ConfigService c = config;
        config = null;
        if (c != null) {
            try {
                c.shutDown();
            } catch (NacosException e) {
                log.debug("nacos config shutdown: {}", e.getErrMsg());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return config != null;
    }
}
