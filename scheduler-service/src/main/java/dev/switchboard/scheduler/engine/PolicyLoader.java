package dev.switchboard.scheduler.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.switchboard.scheduler.framework.EndpointFilter;
import dev.switchboard.scheduler.framework.EndpointPicker;
import dev.switchboard.scheduler.framework.EndpointScorer;
import dev.switchboard.scheduler.framework.Plugin;
import dev.switchboard.scheduler.framework.ProfileHandler;
import dev.switchboard.scheduler.plugins.maxscore.MaxScorePicker;
import dev.switchboard.scheduler.plugins.single.SingleProfileHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Turns policy YAML into a validated {@link Policy}, strictly: unknown fields and plugin types,
 * duplicate names, bad parameter values, dangling references, a second picker in a profile or a
 * second profile handler are all rejected with a message naming the offending element. Defaults are
 * injected in one place: a {@code max-score-picker} for a profile without a picker, and a
 * {@code single-profile-handler} when no handler is configured and the choice is unambiguous.
 */
public final class PolicyLoader {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final PluginRegistry registry;

    public PolicyLoader(PluginRegistry registry) {
        this.registry = registry;
    }

    /** Parses and validates {@code yaml}; {@code fallbackName} names a policy without a {@code name}. */
    public Policy load(String yaml, String fallbackName) {
        PolicyConfig config;
        try {
            config = YAML.readValue(yaml, PolicyConfig.class);
        } catch (JacksonException e) {
            throw new PolicyException("policy YAML is invalid: " + describe(e));
        }
        if (config == null) {
            throw new PolicyException("policy is empty");
        }
        return compile(config, yaml, fallbackName);
    }

    private Policy compile(PolicyConfig config, String source, String fallbackName) {
        String name = config.name() == null || config.name().isBlank() ? fallbackName : config.name();
        if (config.plugins() == null || config.plugins().isEmpty()) {
            throw new PolicyException("policy '" + name + "': 'plugins' must list at least one plugin");
        }
        if (config.profiles() == null || config.profiles().isEmpty()) {
            throw new PolicyException("policy '" + name + "': 'profiles' must list at least one profile");
        }
        Map<String, PolicyConfig.PluginSpec> specs = new LinkedHashMap<>();
        for (int i = 0; i < config.plugins().size(); i++) {
            PolicyConfig.PluginSpec spec = config.plugins().get(i);
            String where = "plugins[" + i + "]";
            if (spec == null || spec.type() == null || spec.type().isBlank()) {
                throw new PolicyException(where + ": 'type' is required");
            }
            String pluginName = spec.name() == null || spec.name().isBlank() ? spec.type() : spec.name();
            if (registry.get(spec.type()) == null) {
                throw new PolicyException(where + ": plugin type '" + spec.type() + "' is not registered; known types: "
                        + registry.types());
            }
            if (specs.putIfAbsent(pluginName, spec) != null) {
                throw new PolicyException(where + ": plugin name '" + pluginName + "' is used twice");
            }
        }
        Instantiator plugins = new Instantiator(specs);
        specs.keySet().forEach(n -> plugins.find(n, Plugin.class));

        Map<String, SchedulingProfile> profiles = new LinkedHashMap<>();
        for (int i = 0; i < config.profiles().size(); i++) {
            PolicyConfig.ProfileSpec spec = config.profiles().get(i);
            if (spec == null || spec.name() == null || spec.name().isBlank()) {
                throw new PolicyException("profiles[" + i + "]: 'name' is required");
            }
            if (profiles.containsKey(spec.name())) {
                throw new PolicyException("profiles[" + i + "]: profile name '" + spec.name() + "' is used twice");
            }
            profiles.put(spec.name(), profile(spec, plugins));
        }

        List<ProfileHandler> handlers = plugins.created.values().stream()
                .filter(ProfileHandler.class::isInstance).map(ProfileHandler.class::cast).toList();
        ProfileHandler handler;
        if (handlers.size() > 1) {
            throw new PolicyException("policy '" + name + "' has " + handlers.size() + " profile handlers ("
                    + handlers.stream().map(Plugin::name).toList() + "); exactly one is allowed");
        } else if (handlers.size() == 1) {
            handler = handlers.get(0);
        } else if (profiles.size() == 1 || profiles.containsKey("default")) {
            String only = profiles.containsKey("default") ? "default" : profiles.keySet().iterator().next();
            handler = new SingleProfileHandler(SingleProfileHandler.TYPE, new SingleProfileHandler.Params(only));
        } else {
            throw new PolicyException("policy '" + name + "' has several profiles " + profiles.keySet()
                    + " but no profile handler to choose between them");
        }
        for (String used : handler.profilesUsed()) {
            if (!profiles.containsKey(used)) {
                throw new PolicyException("profile handler '" + handler.name() + "' uses profile '" + used
                        + "', which is not defined; defined profiles: " + profiles.keySet());
            }
        }
        return new Policy(name, profiles, handler, source);
    }

    private SchedulingProfile profile(PolicyConfig.ProfileSpec spec, Instantiator plugins) {
        String where = "profile '" + spec.name() + "'";
        if (spec.plugins() == null || spec.plugins().isEmpty()) {
            throw new PolicyException(where + ": 'plugins' must reference at least one plugin");
        }
        List<EndpointFilter> filters = new ArrayList<>();
        List<SchedulingProfile.WeightedScorer> scorers = new ArrayList<>();
        List<EndpointPicker> pickers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (PolicyConfig.PluginRef ref : spec.plugins()) {
            if (ref == null || ref.ref() == null || !plugins.specs.containsKey(ref.ref())) {
                throw new PolicyException(where + " references plugin '" + (ref == null ? null : ref.ref())
                        + "', which is not defined; defined plugins: " + plugins.specs.keySet());
            }
            if (!seen.add(ref.ref())) {
                throw new PolicyException(where + " references plugin '" + ref.ref() + "' twice");
            }
            Plugin plugin = plugins.find(ref.ref(), Plugin.class);
            boolean slotted = false;
            if (plugin instanceof EndpointFilter filter) {
                filters.add(filter);
                slotted = true;
            }
            if (plugin instanceof EndpointScorer scorer) {
                double weight = ref.weight() == null ? 1.0 : ref.weight();
                if (!(weight >= 0) || Double.isInfinite(weight)) {
                    throw new PolicyException(where + ": weight of '" + ref.ref() + "' must be a finite number >= 0, but was "
                            + ref.weight());
                }
                scorers.add(new SchedulingProfile.WeightedScorer(scorer, weight));
                slotted = true;
            } else if (ref.weight() != null) {
                throw new PolicyException(where + ": '" + ref.ref() + "' is a " + plugin.type()
                        + ", not a scorer, so it takes no weight");
            }
            if (plugin instanceof EndpointPicker picker) {
                pickers.add(picker);
                slotted = true;
            }
            if (!slotted) {
                throw new PolicyException(where + ": '" + ref.ref() + "' (" + plugin.type()
                        + ") is not a filter, scorer or picker and cannot be part of a profile");
            }
        }
        if (pickers.size() > 1) {
            throw new PolicyException(where + " has " + pickers.size() + " pickers ("
                    + pickers.stream().map(Plugin::name).toList() + "); a profile takes exactly one");
        }
        EndpointPicker picker = pickers.isEmpty() ? new MaxScorePicker(MaxScorePicker.TYPE) : pickers.get(0);
        return new SchedulingProfile(spec.name(), filters, scorers, picker);
    }

    /** Creates plugins on first use, so a plugin may refer to another declared after it. */
    private final class Instantiator implements PluginLookup {
        private final Map<String, PolicyConfig.PluginSpec> specs;
        private final Map<String, Plugin> created = new LinkedHashMap<>();
        private final Set<String> inProgress = new HashSet<>();

        Instantiator(Map<String, PolicyConfig.PluginSpec> specs) {
            this.specs = specs;
        }

        @Override
        public <T extends Plugin> T find(String name, Class<T> type) {
            Plugin plugin = created.get(name);
            if (plugin == null) {
                PolicyConfig.PluginSpec spec = specs.get(name);
                if (spec == null) {
                    throw new PolicyException("plugin '" + name + "' is referenced but not defined; defined plugins: "
                            + specs.keySet());
                }
                if (!inProgress.add(name)) {
                    throw new PolicyException("plugin '" + name + "' refers to itself through other plugins");
                }
                plugin = create(name, spec, registry.get(spec.type()));
                inProgress.remove(name);
                created.put(name, plugin);
            }
            if (!type.isInstance(plugin)) {
                throw new PolicyException("plugin '" + name + "' is a " + plugin.type() + ", but a "
                        + type.getSimpleName() + " is needed here");
            }
            return type.cast(plugin);
        }

        private <P> Plugin create(String name, PolicyConfig.PluginSpec spec, PluginRegistry.Registration<P> registration) {
            Map<String, Object> raw = spec.parameters() == null ? Map.of() : spec.parameters();
            P params;
            try {
                params = YAML.convertValue(raw, registration.paramsType());
            } catch (JacksonException e) {
                throw new PolicyException("plugin '" + name + "' (" + spec.type() + "): " + describe(e));
            } catch (IllegalArgumentException e) {
                throw new PolicyException("plugin '" + name + "' (" + spec.type() + "): " + e.getMessage());
            }
            return registration.factory().create(name, params, this);
        }
    }

    /** A short, precise message for a binding failure (field path, offending value, what is known). */
    private static String describe(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'" + path(u) + "; known fields: " + u.getKnownPropertyIds();
        }
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            return v.getCause().getMessage();
        }
        if (e instanceof InvalidFormatException f) {
            return "value '" + f.getValue() + "'" + path(f) + " is not a valid " + f.getTargetType().getSimpleName();
        }
        if (e instanceof MismatchedInputException m) {
            return m.getOriginalMessage() + path(m);
        }
        return e.getOriginalMessage();
    }

    private static String path(MismatchedInputException e) {
        String path = e.getPath().stream().map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("");
        return path.isEmpty() ? "" : " at '" + path + "'";
    }
}
