package dev.switchboard.scheduler.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.switchboard.scheduler.framework.Plugin;

/**
 * Plugin types by name, each with its parameter record type and factory. Built once and then
 * read-only (an instance, not a global map).
 */
public final class PluginRegistry {

    /** Creates a plugin instance from its validated parameters. */
    @FunctionalInterface
    public interface Factory<P> {
        Plugin create(String name, P params, PluginLookup lookup);
    }

    /** A registered type. */
    public record Registration<P>(String type, Class<P> paramsType, Factory<P> factory) {
    }

    private final Map<String, Registration<?>> types;

    private PluginRegistry(Map<String, Registration<?>> types) {
        this.types = Collections.unmodifiableMap(new LinkedHashMap<>(types));
    }

    public Registration<?> get(String type) {
        return types.get(type);
    }

    public Set<String> types() {
        return types.keySet();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects registrations; rejects a type registered twice. */
    public static final class Builder {
        private final Map<String, Registration<?>> types = new LinkedHashMap<>();

        public <P> Builder register(String type, Class<P> paramsType, Factory<P> factory) {
            if (types.putIfAbsent(type, new Registration<>(type, paramsType, factory)) != null) {
                throw new IllegalStateException("plugin type '" + type + "' is registered twice");
            }
            return this;
        }

        public PluginRegistry build() {
            return new PluginRegistry(types);
        }
    }
}
