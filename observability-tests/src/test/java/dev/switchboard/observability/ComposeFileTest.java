package dev.switchboard.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml against the services' own configuration: every environment variable is one the
 * service reads, every port a service listens on is published or exposed, registered addresses are
 * the containers' service names, Prometheus and Grafana point at what compose runs, and nacos-init
 * imports the data ids the services watch. Plus {@code docker-compose config} when it is installed.
 */
class ComposeFileTest {
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\\}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    /** Environment variables every Spring Boot service (or its image) understands without an application.yml key. */
    private static final Set<String> SPRING_STANDARD = Set.of("SPRING_PROFILES_ACTIVE", "SPRING_CONFIG_ADDITIONAL_LOCATION",
            "SPRING_APPLICATION_JSON", "JAVA_OPTS", "JAVA_TOOL_OPTIONS");

    private final Map<String, Object> compose = Repo.yaml(Repo.COMPOSE);
    private final Map<String, Object> services = Repo.map(compose.get("services"));

    @Test
    void dockerComposeAcceptsTheFile() {
        assumeTrue(Repo.onPath("docker-compose"), "SKIPPED: docker-compose is not on PATH (Debian: apt-get install docker-compose)");
        Repo.Run plain = Repo.run(Repo.ROOT, 120, "docker-compose", "-f", Repo.COMPOSE.toString(), "config", "-q");
        assertThat(plain.exitCode()).as(plain.output()).isZero();
        Repo.Run gpu = Repo.run(Repo.ROOT, 120, "docker-compose", "-f", Repo.COMPOSE.toString(), "--profile", "gpu", "config", "-q");
        assertThat(gpu.exitCode()).as(gpu.output()).isZero();
    }

    /** The compose services built from a Maven module's jar, by service name. */
    private Map<String, String> switchboardServices() {
        Map<String, String> out = new LinkedHashMap<>();
        services.forEach((name, s) -> {
            Object build = Repo.map(s).get("build");
            if (build != null) {
                String context = String.valueOf(Repo.map(build).get("context"));
                Matcher m = Pattern.compile("\\./([a-z-]+)/target").matcher(context);
                assertThat(m.matches()).as(name + ": build context " + context + " is not ./<module>/target").isTrue();
                out.put(name, m.group(1));
            }
        });
        assertThat(new TreeSet<>(out.values())).containsExactly("engine-adapter", "engine-sim", "gateway-service", "scheduler-service");
        return out;
    }

    @Test
    void everyServiceImageCopiesItsJarAndExposesItsPorts() {
        switchboardServices().forEach((service, module) -> {
            Map<String, Object> build = Repo.map(Repo.map(services.get(service)).get("build"));
            Path dockerfile = Repo.ROOT.resolve(module).resolve("target").resolve(String.valueOf(build.get("dockerfile"))).normalize();
            assertThat(dockerfile).as(service + " Dockerfile").isRegularFile().startsWith(Repo.ROOT.resolve("deploy"));
            String text = Repo.read(dockerfile);
            assertThat(text).as(dockerfile.toString()).contains("FROM eclipse-temurin:17-jre")
                    .contains("COPY " + module + "-exec.jar ").contains("$JAVA_OPTS");
            Set<Integer> exposed = new TreeSet<>();
            Matcher m = Pattern.compile("(?m)^EXPOSE (.*)$").matcher(text);
            while (m.find()) {
                for (String p : m.group(1).trim().split("\\s+")) {
                    exposed.add(Integer.parseInt(p));
                }
            }
            assertThat(exposed).as(dockerfile + " EXPOSE").containsAll(defaultPorts(module));
        });
    }

    @Test
    void environmentVariablesAreOnesTheServicesRead() {
        List<String> problems = new ArrayList<>();
        switchboardServices().forEach((service, module) -> {
            Set<String> placeholders = placeholders(module);
            Set<String> relaxedKeys = relaxedKeys(module);
            for (String variable : environment(service).keySet()) {
                if (!placeholders.contains(variable) && !relaxedKeys.contains(variable) && !SPRING_STANDARD.contains(variable)) {
                    problems.add(service + ": " + variable + " is neither a ${...} placeholder nor a property key of "
                            + module + "'s application*.yml");
                }
            }
            String profiles = environment(service).get("SPRING_PROFILES_ACTIVE");
            if (profiles != null) {
                for (String profile : profiles.split(",")) {
                    Path file = Repo.ROOT.resolve(module).resolve("src/main/resources/application-" + profile.trim() + ".yml");
                    if (!Files.isRegularFile(file)) {
                        problems.add(service + ": profile " + profile + " has no " + file);
                    }
                }
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void servicesListenOnAllInterfacesAndRegisterTheirServiceName() {
        List<String> problems = new ArrayList<>();
        switchboardServices().forEach((service, module) -> {
            Map<String, String> env = environment(service);
            String address = effective(module, env, "server.address");
            if (!"0.0.0.0".equals(address)) {
                problems.add(service + ": server.address is " + address + ", unreachable from other containers");
            }
            for (String bindKey : List.of("switchboard.sim.bind-host", "switchboard.adapter.bind-host")) {
                String value = effective(module, env, bindKey);
                if (value != null && !"0.0.0.0".equals(value)) {
                    problems.add(service + ": " + bindKey + " is " + value);
                }
            }
            if (placeholders(module).contains("SWITCHBOARD_BIND_ADDRESS") && !"0.0.0.0".equals(env.get("SWITCHBOARD_BIND_ADDRESS"))) {
                problems.add(service + ": SWITCHBOARD_BIND_ADDRESS must be 0.0.0.0");
            }
            String profiles = env.getOrDefault("SPRING_PROFILES_ACTIVE", "");
            if (profiles.contains("nacos")) {
                if (!service.equals(env.get("SWITCHBOARD_ADVERTISED_IP"))) {
                    problems.add(service + ": SWITCHBOARD_ADVERTISED_IP must be the service name, was "
                            + env.get("SWITCHBOARD_ADVERTISED_IP"));
                }
                String nacos = env.get("NACOS_SERVER_ADDR");
                String[] hostPort = nacos == null ? new String[] {"", "0"} : nacos.split(":");
                if (!services.containsKey(hostPort[0]) || !containerPorts(hostPort[0]).contains(Integer.parseInt(hostPort[1]))) {
                    problems.add(service + ": NACOS_SERVER_ADDR " + nacos + " is not a compose service port");
                }
                if (!String.valueOf(Repo.map(Repo.map(Repo.map(services.get(service)).get("depends_on")).get("nacos-init"))
                        .get("condition")).equals("service_completed_successfully")) {
                    problems.add(service + ": must start after nacos-init completed (configs imported)");
                }
                if (!env.get("NACOS_PASSWORD").equals(environment("nacos-init").get("NACOS_PASSWORD"))) {
                    problems.add(service + ": NACOS_PASSWORD differs from the one nacos-init sets for the admin user");
                }
            } else if (env.containsKey("NACOS_SERVER_ADDR")) {
                problems.add(service + ": NACOS_SERVER_ADDR without the nacos profile");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void everyListeningPortIsPublishedOrExposed() {
        List<String> problems = new ArrayList<>();
        switchboardServices().forEach((service, module) -> {
            Set<Integer> listening = new TreeSet<>();
            Map<String, String> env = environment(service);
            listening.add(Integer.parseInt(effective(module, env, "server.port")));
            if (module.equals("engine-sim")) {
                simEngines().forEach(e -> listening.add(((Number) e.get("port")).intValue()));
            }
            if (module.equals("engine-adapter")) {
                adapterEngines(service).forEach(e -> listening.add(((Number) e.get("listen-port")).intValue()));
            }
            Set<Integer> open = containerPorts(service);
            if (!open.containsAll(listening)) {
                problems.add(service + " listens on " + listening + " but publishes/exposes only " + open);
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void adaptersPointAtEnginesComposeRuns() {
        List<String> problems = new ArrayList<>();
        Map<Integer, Map<String, Object>> simByPort = new LinkedHashMap<>();
        simEngines().forEach(e -> simByPort.put(((Number) e.get("port")).intValue(), e));
        for (String service : List.of("engine-adapter", "engine-adapter-gpu")) {
            for (Map<String, Object> engine : adapterEngines(service)) {
                String id = String.valueOf(engine.get("endpoint-id"));
                java.net.URI url = java.net.URI.create(String.valueOf(engine.get("engine-url")));
                if (!services.containsKey(url.getHost()) || !containerPorts(url.getHost()).contains(url.getPort())) {
                    problems.add(service + " " + id + ": engine-url " + url + " is not a port of a compose service");
                    continue;
                }
                if (!profiles(service).equals(profiles(url.getHost())) && !profiles(url.getHost()).isEmpty()) {
                    problems.add(service + " " + id + ": fronts " + url.getHost() + " of another profile");
                }
                if (url.getHost().equals("engine-sim")) {
                    Map<String, Object> sim = simByPort.get(url.getPort());
                    if (!id.equals(sim.get("id")) || !String.valueOf(engine.get("role")).equals(String.valueOf(sim.get("role")))) {
                        problems.add(service + " " + id + "/" + engine.get("role") + " fronts engine-sim port " + url.getPort()
                                + " which is " + sim.get("id") + "/" + sim.get("role"));
                    }
                }
                Object kv = engine.get("kv-events-endpoint");
                if (kv != null) {
                    java.net.URI kvUri = java.net.URI.create(String.valueOf(kv));
                    if (!containerPorts(kvUri.getHost()).contains(kvUri.getPort())) {
                        problems.add(service + " " + id + ": kv-events-endpoint " + kv + " is not exposed by " + kvUri.getHost());
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void prometheusScrapesWhatComposeRuns() {
        List<String> problems = new ArrayList<>();
        Map<String, String> moduleOf = switchboardServices();
        Map<Integer, Map<String, Object>> simByPort = new LinkedHashMap<>();
        simEngines().forEach(e -> simByPort.put(((Number) e.get("port")).intValue(), e));
        for (Object o : Repo.list(Repo.yaml(Repo.PROMETHEUS.resolve("prometheus.yml")).get("scrape_configs"))) {
            Map<String, Object> job = Repo.map(o);
            String path = String.valueOf(job.getOrDefault("metrics_path", "/metrics"));
            for (Object g : Repo.list(job.get("static_configs"))) {
                Map<String, Object> group = Repo.map(g);
                for (Object t : Repo.list(group.get("targets"))) {
                    String[] hostPort = String.valueOf(t).split(":");
                    String host = hostPort[0];
                    int port = Integer.parseInt(hostPort[1]);
                    if (!services.containsKey(host) || !containerPorts(host).contains(port)) {
                        problems.add(job.get("job_name") + ": target " + t + " is not a port of a compose service");
                        continue;
                    }
                    String module = moduleOf.get(host);
                    boolean actuator = module != null && port == Integer.parseInt(effective(module, environment(host), "server.port"));
                    if (actuator && !path.equals("/actuator/prometheus")) {
                        problems.add(job.get("job_name") + ": " + t + " is an actuator port but metrics_path is " + path);
                    }
                    if (host.equals("engine-sim") && !actuator) {
                        Map<String, Object> sim = simByPort.get(port);
                        Map<String, Object> labels = Repo.map(group.get("labels"));
                        if (!String.valueOf(sim.get("id")).equals(labels.get("endpoint"))
                                || !String.valueOf(sim.get("role")).equals(labels.get("role"))) {
                            problems.add("engines target " + t + " labelled " + labels + " but the engine is " + sim.get("id")
                                    + "/" + sim.get("role"));
                        }
                    }
                }
            }
            for (Object d : Repo.list(job.get("dns_sd_configs"))) {
                Map<String, Object> dns = Repo.map(d);
                for (Object n : Repo.list(dns.get("names"))) {
                    if (!services.containsKey(String.valueOf(n)) || !containerPorts(String.valueOf(n)).contains(((Number) dns.get("port")).intValue())) {
                        problems.add(job.get("job_name") + ": DNS name " + n + ":" + dns.get("port") + " is not a port of a compose service");
                    }
                    // the endpoint label relabelling derives from a DNS name must be the adapter's endpoint id of that engine
                    for (Object r : Repo.list(job.get("relabel_configs"))) {
                        Map<String, Object> relabel = Repo.map(r);
                        Matcher m = Pattern.compile(String.valueOf(relabel.get("regex"))).matcher(String.valueOf(n));
                        if ("endpoint".equals(relabel.get("target_label")) && m.matches()) {
                            // Prometheus and java.util.regex share the $1 group syntax
                            String endpoint = m.replaceFirst(String.valueOf(relabel.get("replacement")));
                            boolean fronted = services.keySet().stream().filter(s -> s.startsWith("engine-adapter"))
                                    .flatMap(s -> adapterEngines(s).stream())
                                    .anyMatch(e -> endpoint.equals(e.get("endpoint-id"))
                                            && String.valueOf(e.get("engine-url")).contains("//" + n + ":"));
                            if (!fronted) {
                                problems.add(job.get("job_name") + ": " + n + " is labelled endpoint=" + endpoint
                                        + " but no adapter fronts it under that id");
                            }
                        }
                    }
                }
            }
        }
        Map<String, Object> prometheus = Repo.map(services.get("prometheus"));
        assertThat(Repo.list(prometheus.get("volumes"))).anyMatch(v -> String.valueOf(v).startsWith("./dashboard/prometheus:/etc/prometheus"));
        assertThat(Repo.list(prometheus.get("command"))).contains("--config.file=/etc/prometheus/prometheus.yml");
        assertThat(problems).isEmpty();
    }

    @Test
    void grafanaIsProvisionedFromTheDashboardFolder() {
        Map<String, Object> grafana = Repo.map(services.get("grafana"));
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object v : Repo.list(grafana.get("volumes"))) {
            String[] parts = String.valueOf(v).split(":");
            mounts.put(parts[1], parts[0]);
        }
        assertThat(mounts.get("/etc/grafana/provisioning")).isEqualTo("./dashboard/grafana/provisioning");
        Map<String, Object> provider = Repo.map(Repo.list(Repo.yaml(
                Repo.ROOT.resolve("dashboard/grafana/provisioning/dashboards/switchboard.yml")).get("providers")).get(0));
        assertThat(provider.get("folder")).isEqualTo("Switchboard");
        String dashboardsPath = String.valueOf(Repo.map(provider.get("options")).get("path"));
        assertThat(mounts.get(dashboardsPath)).as("mount of the provider path " + dashboardsPath).isEqualTo("./dashboard/grafana/dashboards");
        Map<String, Object> datasource = Repo.map(Repo.list(Repo.yaml(
                Repo.ROOT.resolve("dashboard/grafana/provisioning/datasources/prometheus.yml")).get("datasources")).get(0));
        java.net.URI url = java.net.URI.create(String.valueOf(datasource.get("url")));
        assertThat(url.getHost()).isEqualTo("prometheus");
        assertThat(containerPorts("prometheus")).contains(url.getPort());
        String home = environment("grafana").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        assertThat(Repo.DASHBOARDS.resolve(Path.of(home).getFileName())).isRegularFile();
        assertThat(home).startsWith(dashboardsPath + "/");
    }

    @Test
    void nacosRunsVersion3WithAuthAndInitImportsTheWatchedDataIds() {
        Map<String, Object> nacos = Repo.map(services.get("nacos"));
        assertThat(String.valueOf(nacos.get("image"))).isEqualTo("nacos/nacos-server:v3.0.3");
        Map<String, String> env = environment("nacos");
        assertThat(env).containsEntry("MODE", "standalone").containsEntry("NACOS_AUTH_ENABLE", "true");
        assertThat(java.util.Base64.getDecoder().decode(env.get("NACOS_AUTH_TOKEN"))).as("NACOS_AUTH_TOKEN decoded").hasSizeGreaterThanOrEqualTo(32);
        assertThat(env.get("NACOS_AUTH_IDENTITY_KEY")).isNotBlank();
        assertThat(env.get("NACOS_AUTH_IDENTITY_VALUE")).isNotBlank();

        Map<String, String> init = environment("nacos-init");
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object v : Repo.list(Repo.map(services.get("nacos-init")).get("volumes"))) {
            String[] parts = String.valueOf(v).split(":");
            mounts.put(parts[1], parts[0]);
        }
        assertThat(mounts.get(init.get("CONFIG_DIR"))).isEqualTo("./registry-config/src/main/resources/nacos");
        assertThat(mounts).containsEntry("/nacos-init.sh", "./deploy/nacos-init/nacos-init.sh");
        assertThat(init.get("NACOS_ADDR")).isEqualTo("nacos:8848");

        // the data ids and group the services watch in the nacos profile are the files nacos-init imports
        Map<String, String> watched = new LinkedHashMap<>();
        Map<String, Object> scheduler = Repo.flatten(Repo.yamlDocuments(
                Repo.ROOT.resolve("scheduler-service/src/main/resources/application-nacos.yml")).get(0));
        watched.put(String.valueOf(scheduler.get("switchboard.scheduler.nacos-config.data-id")),
                String.valueOf(scheduler.get("switchboard.scheduler.nacos-config.group")));
        Map<String, Object> gateway = Repo.flatten(Repo.yamlDocuments(
                Repo.ROOT.resolve("gateway-service/src/main/resources/application-nacos.yml")).get(0));
        watched.put(String.valueOf(gateway.get("switchboard.gateway.auth.nacos-config.data-id")),
                String.valueOf(gateway.get("switchboard.gateway.auth.nacos-config.group")));
        watched.forEach((dataId, group) -> {
            assertThat(Repo.NACOS_CONFIG.resolve(dataId)).as("file for Nacos data id " + dataId).isRegularFile();
            assertThat(group).as("group of " + dataId).isEqualTo(init.get("NACOS_GROUP"));
        });
    }

    @Test
    void nacosInitUsesTheNacos3OpenApi() {
        String script = Repo.read(Repo.ROOT.resolve("deploy/nacos-init/nacos-init.sh"));
        assertThat(script).contains("\"$BASE/v3/auth/user/login\"", "\"$BASE/v3/auth/user/admin\"", "\"$BASE/v3/admin/cs/config\"",
                "BASE=\"http://${NACOS_ADDR}/nacos\"", "groupName=", "dataId=", "content@", "type=yaml",
                "Authorization: Bearer");
        assertThat(script).doesNotContain("/v1/", "/v2/", "tenant=", "group=");
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** A service's environment with compose interpolation resolved to its defaults. */
    private Map<String, String> environment(String service) {
        Map<String, String> out = new LinkedHashMap<>();
        Object env = Repo.map(services.get(service)).get("environment");
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), interpolate(String.valueOf(v))));
        } else {
            for (Object e : Repo.list(env)) {
                String[] kv = String.valueOf(e).split("=", 2);
                out.put(kv[0], kv.length > 1 ? interpolate(kv[1]) : "");
            }
        }
        return out;
    }

    private static String interpolate(String value) {
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private Set<String> profiles(String service) {
        return new TreeSet<>(Repo.list(Repo.map(services.get(service)).get("profiles")).stream().map(String::valueOf).toList());
    }

    /** Container-side ports a service publishes (ports) or exposes (expose), plus its image's defaults for known images. */
    private Set<Integer> containerPorts(String service) {
        Set<Integer> out = new TreeSet<>();
        Map<String, Object> s = Repo.map(services.get(service));
        for (Object p : Repo.list(s.get("ports"))) {
            String spec = String.valueOf(p);
            out.add(Integer.parseInt(spec.substring(spec.lastIndexOf(':') + 1).replace("/tcp", "")));
        }
        for (Object p : Repo.list(s.get("expose"))) {
            out.add(Integer.parseInt(String.valueOf(p)));
        }
        return out;
    }

    private static Set<String> placeholders(String module) {
        Set<String> out = new TreeSet<>();
        for (Path file : Repo.applicationYamls(module)) {
            Matcher m = PLACEHOLDER.matcher(Repo.read(file));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Every property key of the module's application*.yml in environment-variable form (relaxed binding). */
    private static Set<String> relaxedKeys(String module) {
        Set<String> out = new TreeSet<>();
        for (Path file : Repo.applicationYamls(module)) {
            for (Object doc : Repo.yamlDocuments(file)) {
                for (String key : Repo.flatten(doc).keySet()) {
                    String base = key.replaceAll("\\[\\d+]", "");
                    // every prefix is bindable too (e.g. a whole map or list from one variable is not,
                    // but a scalar leaf and its parents' names are what relaxed binding matches)
                    out.add(envForm(base));
                }
            }
        }
        return out;
    }

    private static String envForm(String key) {
        return key.replace('.', '_').replace("-", "_").toUpperCase(Locale.ROOT);
    }

    /**
     * The value of a property as the service in compose sees it: its environment variable (relaxed
     * form) if set, else application.yml's default document with ${VAR:default} resolved against the
     * compose environment.
     */
    private static String effective(String module, Map<String, String> env, String key) {
        String fromEnv = env.get(envForm(key));
        if (fromEnv != null) {
            return fromEnv;
        }
        Object raw = Repo.flatten(Repo.yamlDocuments(Repo.ROOT.resolve(module).resolve("src/main/resources/application.yml")).get(0))
                .get(key);
        if (raw == null) {
            return null;
        }
        Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)(?::([^}]*))?}").matcher(String.valueOf(raw));
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = env.getOrDefault(m.group(1), m.group(2) == null ? "" : m.group(2));
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Set<Integer> defaultPorts(String module) {
        Set<Integer> ports = new LinkedHashSet<>();
        ports.add(Integer.parseInt(effective(module, Map.of(), "server.port")));
        if (module.equals("engine-sim")) {
            simEngines().forEach(e -> ports.add(((Number) e.get("port")).intValue()));
        }
        if (module.equals("engine-adapter")) {
            Map<String, Object> adapter = Repo.map(Repo.map(Repo.map(Repo.yamlDocuments(
                    Repo.ROOT.resolve("engine-adapter/src/main/resources/application.yml")).get(0)).get("switchboard")).get("adapter"));
            Repo.list(adapter.get("engines")).forEach(e -> ports.add(((Number) Repo.map(e).get("listen-port")).intValue()));
        }
        return ports;
    }

    private static List<Map<String, Object>> simEngines() {
        Map<String, Object> sim = Repo.map(Repo.map(Repo.map(Repo.yamlDocuments(
                Repo.ROOT.resolve("engine-sim/src/main/resources/application.yml")).get(0)).get("switchboard")).get("sim"));
        return Repo.list(sim.get("engines")).stream().map(Repo::map).toList();
    }

    /** The engines an adapter service fronts: from its mounted config file (SPRING_CONFIG_ADDITIONAL_LOCATION). */
    private List<Map<String, Object>> adapterEngines(String service) {
        String location = environment(service).get("SPRING_CONFIG_ADDITIONAL_LOCATION");
        assertThat(location).as(service + " SPRING_CONFIG_ADDITIONAL_LOCATION").startsWith("file:");
        String inContainer = location.substring("file:".length());
        String onHost = null;
        for (Object v : Repo.list(Repo.map(services.get(service)).get("volumes"))) {
            String[] parts = String.valueOf(v).split(":");
            if (parts[1].equals(inContainer)) {
                onHost = parts[0];
            }
        }
        assertThat(onHost).as(service + ": no volume mounts " + inContainer).isNotNull();
        Map<String, Object> adapter = Repo.map(Repo.map(Repo.yaml(Repo.ROOT.resolve(onHost)).get("switchboard")).get("adapter"));
        List<Map<String, Object>> engines = Repo.list(adapter.get("engines")).stream().map(Repo::map).toList();
        assertThat(engines).as(onHost + " engines").isNotEmpty();
        return engines;
    }
}
