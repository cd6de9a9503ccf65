package dev.switchboard.support;

import java.util.Properties;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.PropertyResolver;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractListener;
import com.alibaba.nacos.api.exception.NacosException;

/**
 * Watches one Nacos config (data id + group) through the Nacos client's listener, so an edit in the
 * Nacos console reaches the service within moments, without a restart. The consumer may throw to
 * reject a version; the watch keeps going.
 */
public final class NacosConfigWatch implements ConfigWatch {
    private static final Logger log = LoggerFactory.getLogger(NacosConfigWatch.class);

    private final ConfigService config;
    private final String dataId;
    private final String group;

    private NacosConfigWatch(ConfigService config, String dataId, String group) {
        this.config = config;
        this.dataId = dataId;
        this.group = group;
    }

    /** Connection settings of a Nacos server. */
    public record Server(String address, String username, String password, String namespace) {
        /**
         * The server Spring Cloud Alibaba's discovery uses ({@code spring.cloud.nacos.discovery.server-addr},
         * {@code .username}, {@code .password}, {@code .namespace}): config is read from the same Nacos the
         * service registers in. Read from the environment, not from {@code NacosDiscoveryProperties}, because
         * that bean does not exist when discovery is off (static mode).
         */
        public static Server ofDiscoverySettings(PropertyResolver environment) {
            String prefix = "spring.cloud.nacos.discovery.";
            return new Server(environment.getProperty(prefix + "server-addr", ""), environment.getProperty(prefix + "username", ""),
                    environment.getProperty(prefix + "password", ""), environment.getProperty(prefix + "namespace", ""));
        }

        Properties properties() {
            Properties p = new Properties();
            p.put(PropertyKeyConst.SERVER_ADDR, address);
            if (username != null && !username.isBlank()) {
                p.put(PropertyKeyConst.USERNAME, username);
                p.put(PropertyKeyConst.PASSWORD, password == null ? "" : password);
            }
            if (namespace != null && !namespace.isBlank()) {
                p.put(PropertyKeyConst.NAMESPACE, namespace);
            }
            return p;
        }
    }

    /**
     * Reads the config now (if it exists) and hands it to {@code consumer} (exceptions from this first
     * read propagate), then hands over every version Nacos pushes.
     *
     * @return the watch, with {@code found} telling whether the config existed at start
     */
    public static NacosConfigWatch start(Server server, String dataId, String group, Consumer<String> consumer) {
        try {
            ConfigService config = NacosFactory.createConfigService(server.properties());
            NacosConfigWatch watch = new NacosConfigWatch(config, dataId, group);
            String current = config.getConfigAndSignListener(dataId, group, 5000, new AbstractListener() {
                @Override
                public void receiveConfigInfo(String text) {
                    if (text == null || text.isBlank()) {
                        return;
                    }
                    try {
                        consumer.accept(text);
                    } catch (RuntimeException rejected) {
                        // the consumer rejected this version and reported why; keep listening
                    }
                }
            });
            if (current == null || current.isBlank()) {
                log.info("Nacos config {} (group {}) does not exist yet; waiting for it", dataId, group);
            } else {
                consumer.accept(current);
            }
            return watch;
        } catch (NacosException e) {
            throw new IllegalStateException("cannot read Nacos config " + dataId + " (group " + group + ") from "
                    + server.address() + ": " + e.getErrMsg(), e);
        }
    }

    @Override
    public String source() {
        return "nacos " + group + "/" + dataId;
    }

    @Override
    public void close() {
        try {
            config.shutDown();
        } catch (NacosException e) {
            log.debug("nacos config shutdown: {}", e.getErrMsg());
        }
    }
}
