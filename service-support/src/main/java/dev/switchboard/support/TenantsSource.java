package dev.switchboard.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.contract.tenants.TenantsConfig;

/**
 * The tenants config of a service, from a watched file and/or a watched Nacos data id
 * ({@code switchboard-tenants.yaml}, group {@code SWITCHBOARD}). Every version is validated strictly
 * first; an invalid one is rejected with a precise log line (and the {@code onResult} callback, for
 * metrics) and the last good config stays in force. Listeners see every applied version.
 */
public final class TenantsSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TenantsSource.class);

    private final AtomicReference<TenantsConfig> current = new AtomicReference<>(TenantsConfig.empty());
    private final List<Consumer<TenantsConfig>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ConfigWatch> watches = new ArrayList<>();
    private final Consumer<Boolean> onResult;

    /** @param onResult told {@code true} for each applied and {@code false} for each rejected version */
    public TenantsSource(Consumer<Boolean> onResult) {
        this.onResult = onResult;
    }

    /** Where tenants come from; blank file and disabled Nacos mean "no tenants". */
    public record Settings(String file, boolean nacosEnabled, NacosConfigWatch.Server nacos, String dataId, String group) {
    }

    /** Starts watching the configured sources (a bad file at startup fails fast). */
    public TenantsSource start(Settings settings) {
        if (settings.file() != null && !settings.file().isBlank()) {
            Path path = Path.of(settings.file());
            watches.add(FileConfigWatch.start(path, Duration.ofSeconds(2), text -> apply(text, "file " + path)));
        }
        if (settings.nacosEnabled()) {
            String source = "nacos " + settings.group() + "/" + settings.dataId();
            watches.add(NacosConfigWatch.start(settings.nacos(), settings.dataId(), settings.group(), text -> {
                try {
                    apply(text, source);
                } catch (IllegalArgumentException rejected) {
                    // logged; the last good tenants stay
                }
            }));
        }
        return this;
    }

    /** Calls {@code listener} with the current config now and with every applied version. */
    public void onChange(Consumer<TenantsConfig> listener) {
        listeners.add(listener);
        listener.accept(current.get());
    }

    public TenantsConfig current() {
        return current.get();
    }

    /** Validates and installs a new version; throws {@link IllegalArgumentException} (keeping the old one) if invalid. */
    public TenantsConfig apply(String yaml, String source) {
        TenantsConfig next;
        try {
            next = TenantsConfig.parse(yaml);
        } catch (IllegalArgumentException e) {
            onResult.accept(false);
            log.error("rejected tenants from {}; keeping the previous ones: {}", source, e.getMessage());
            throw e;
        }
        current.set(next);
        onResult.accept(true);
        log.info("tenants from {} applied: {} tenants", source, next.tenants().size());
        listeners.forEach(l -> l.accept(next));
        return next;
    }

    @Override
    public void close() {
        watches.forEach(ConfigWatch::close);
        watches.clear();
    }
}
