package dev.switchboard.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.switchboard.contract.tenants.TenantsConfig;
import tools.jackson.databind.json.JsonMapper;

/**
 * The suite as a user runs it, for tests: the four packaged executable jars as separate processes
 * on free 127.0.0.1 ports (so a running {@code ./run.sh} does not interfere), wired by static
 * discovery: one engine-sim process hosting the given engines, one adapter fronting them, the
 * scheduler and the gateway with API-key auth over the given tenants (a generated tenants file read
 * by both gateway and scheduler). Each service's log is written to the log folder.
 *
 * <p>With {@link Builder#nacos(Nacos)} the services run as docker-compose runs them instead: profile
 * {@code nacos}, the adapter registering the engines in Nacos, the scheduler and gateway discovering
 * them (and each other) there, and the policy and tenants read from Nacos config, which the caller
 * publishes ({@link #tenantsYaml()}) before {@link #start(Duration)}.
 */
public final class LocalSuite implements AutoCloseable {
    public static final String MODEL = "llama-3-8b";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> SERVICES = List.of("engine-sim", "engine-adapter", "scheduler-service", "gateway-service");

    /** One simulated engine with its ports here. */
    public record Engine(String id, String role, int port, int adapterPort) {
        public String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    /** One tenant: API key and token quota per minute (0 = none). */
    public record Tenant(String id, String apiKey, long tokensPerMinute) {
    }

    /**
     * A Nacos server for discovery and config (the services' {@code nacos} profile).
     *
     * @param namespace      namespace id for discovery and config (empty: public)
     * @param adminToken     the scheduler's and adapter's admin token (the {@code nacos} profile requires one)
     * @param grpcPortOffset the client's gRPC port offset from the HTTP port (0: Nacos' default, 1000)
     */
    public record Nacos(String serverAddr, String username, String password, String namespace, String adminToken,
            int grpcPortOffset) {
    }

    private final Path root;
    private final Path logs;
    private final List<Engine> engines;
    private final List<Tenant> tenants;
    private final Map<String, Object> simEngineSettings;
    private final Map<String, Object> gatewaySettings;
    private final String pdTransfer;
    private final Nacos nacos;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int gatewayPort = freePort();
    private final int schedulerPort = freePort();
    private final int simPort = freePort();
    private final int adapterPort = freePort();

    private LocalSuite(Builder b) {
        this.root = b.root;
        this.logs = b.logs;
        this.engines = List.copyOf(b.engines);
        this.tenants = List.copyOf(b.tenants);
        this.simEngineSettings = Map.copyOf(b.simEngineSettings);
        this.gatewaySettings = Map.copyOf(b.gatewaySettings);
        this.pdTransfer = b.pdTransfer;
        this.nacos = b.nacos;
    }

    /** @param root the repository root (the services' jars are {@code <root>/<service>/target/<service>-exec.jar}) */
    public static Builder builder(Path root, Path logs) {
        return new Builder(root, logs);
    }

    /** Collects the topology. */
    public static final class Builder {
        private final Path root;
        private final Path logs;
        private final List<Engine> engines = new ArrayList<>();
        private final List<Tenant> tenants = new ArrayList<>();
        private final Map<String, Object> simEngineSettings = new LinkedHashMap<>();
        private final Map<String, Object> gatewaySettings = new LinkedHashMap<>();
        private String pdTransfer = "nixl";
        private Nacos nacos;

        private Builder(Path root, Path logs) {
            this.root = root.toAbsolutePath().normalize();
            this.logs = logs;
        }

        public Builder engine(String id, String role) {
            engines.add(new Engine(id, role, freePort(), freePort()));
            return this;
        }

        public Builder tenant(String id, String apiKey, long tokensPerMinute) {
            tenants.add(new Tenant(id, apiKey, tokensPerMinute));
            return this;
        }

        /** A setting for every simulated engine ({@code switchboard.sim.engines[].<key>}). */
        public Builder simEngineSetting(String key, Object value) {
            simEngineSettings.put(key, value);
            return this;
        }

        /** A gateway setting ({@code switchboard.gateway.<key>}). */
        public Builder gatewaySetting(String key, Object value) {
            gatewaySettings.put(key, value);
            return this;
        }

        /** Discovery and config through this Nacos server instead of static discovery and a tenants file. */
        public Builder nacos(Nacos nacos) {
            this.nacos = nacos;
            return this;
        }

        public LocalSuite build() {
            if (engines.isEmpty() || tenants.isEmpty()) {
                throw new IllegalStateException("a suite needs at least one engine and one tenant");
            }
            return new LocalSuite(this);
        }
    }

    /** Starts every service and waits until the gateway lists the model. */
    public LocalSuite start(Duration timeout) throws Exception {
        Files.createDirectories(logs);
        List<Map<String, Object>> simEngines = new ArrayList<>();
        List<Map<String, Object>> adapterEngines = new ArrayList<>();
        List<Map<String, Object>> staticEngines = new ArrayList<>();
        for (Engine e : engines) {
            Map<String, Object> sim = new LinkedHashMap<>(Map.of("id", e.id(), "port", e.port(), "role", e.role(), "model", MODEL));
            sim.putAll(simEngineSettings);
            simEngines.add(sim);
            adapterEngines.add(Map.of("listen-port", e.adapterPort(), "endpoint-id", e.id(), "role", e.role(),
                    "engine-kind", "vllm", "model", MODEL, "engine-url", e.url(), "pd-transfer", pdTransfer));
            staticEngines.add(Map.of("uri", "http://127.0.0.1:" + e.adapterPort(), "metadata", Map.of(
                    "switchboard.endpoint-id", e.id(), "switchboard.role", e.role(), "switchboard.engine-kind", "vllm",
                    "switchboard.model", MODEL, "switchboard.engine-url", e.url(), "switchboard.pd-transfer", pdTransfer)));
        }
        Map<String, Object> gateway = new LinkedHashMap<>(gatewaySettings);
        launch("engine-sim", Map.of("server", Map.of("port", simPort), "switchboard", Map.of("sim", Map.of("engines", simEngines))));
        launch("engine-adapter", Map.of("server", Map.of("port", adapterPort),
                "switchboard", Map.of("adapter", Map.of("engines", adapterEngines))));
        if (nacos != null) {
            // engines, the scheduler's address, policy and tenants come from Nacos (each service's application-nacos.yml)
            gateway.put("auth", Map.of("open", false));
            launch("scheduler-service", Map.of("server", Map.of("port", schedulerPort)));
            launch("gateway-service", Map.of("server", Map.of("port", gatewayPort), "switchboard", Map.of("gateway", gateway)));
        } else {
            Path tenantsFile = writeTenants();
            gateway.put("auth", Map.of("open", false, "tenants-file", tenantsFile.toString()));
            launch("scheduler-service", Map.of("server", Map.of("port", schedulerPort),
                    "switchboard", Map.of("scheduler", Map.of("tenants-file", tenantsFile.toString())),
                    "spring", discovery(Map.of("switchboard-engines", staticEngines))));
            launch("gateway-service", Map.of("server", Map.of("port", gatewayPort),
                    "spring", discovery(Map.of(
                            "switchboard-scheduler", List.of(Map.of("uri", "http://127.0.0.1:" + schedulerPort)),
                            "switchboard-engines", staticEngines)),
                    "switchboard", Map.of("gateway", gateway)));
        }
        awaitReady(timeout);
        return this;
    }

    private static Map<String, Object> discovery(Map<String, Object> instances) {
        return Map.of("cloud", Map.of("discovery", Map.of("client", Map.of("simple", Map.of("instances", instances)))));
    }

    /** The tenants, in the {@code switchboard-tenants.yaml} format (API keys as SHA-256). */
    public String tenantsYaml() {
        StringBuilder yaml = new StringBuilder("tenants:\n");
        for (Tenant t : tenants) {
            yaml.append("  - id: ").append(t.id()).append('\n');
            if (t.tokensPerMinute() > 0) {
                yaml.append("    tokens-per-minute: ").append(t.tokensPerMinute()).append('\n');
            }
            yaml.append("    api-key-sha256: [ \"").append(TenantsConfig.sha256Hex(t.apiKey())).append("\" ]\n");
        }
        return yaml.toString();
    }

    private Path writeTenants() throws IOException {
        Path file = logs.resolve("tenants.yaml");
        Files.writeString(file, tenantsYaml());
        return file;
    }

    private void launch(String service, Map<String, Object> config) throws IOException {
        Path jar = root.resolve(service).resolve("target").resolve(service + "-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; package the services first (./mvnw -B verify packages them)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (nacos != null && nacos.grpcPortOffset() != 0) {
            command.add("-Dnacos.server.grpc.port.offset=" + nacos.grpcPortOffset());
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        // SPRING_APPLICATION_JSON outranks the jars' application.yml; lists in it replace the defaults
        pb.environment().put("SPRING_APPLICATION_JSON", JSON.writeValueAsString(config));
        for (String name : List.of("NACOS_SERVER_ADDR", "NACOS_USERNAME", "NACOS_PASSWORD", "NACOS_NAMESPACE",
                "NACOS_DISCOVERY_GROUP", "SPRING_PROFILES_ACTIVE", "SWITCHBOARD_ADMIN_TOKEN", "SWITCHBOARD_ADMIN_OPEN",
                "SWITCHBOARD_ADVERTISED_IP", "SWITCHBOARD_BIND_ADDRESS")) {
            pb.environment().remove(name);
        }
        if (nacos != null && !service.equals("engine-sim")) {
            pb.environment().put("SPRING_PROFILES_ACTIVE", "nacos");
            pb.environment().put("NACOS_SERVER_ADDR", nacos.serverAddr());
            pb.environment().put("NACOS_USERNAME", nacos.username());
            pb.environment().put("NACOS_PASSWORD", nacos.password());
            pb.environment().put("NACOS_NAMESPACE", nacos.namespace());
            pb.environment().put("SWITCHBOARD_ADMIN_TOKEN", nacos.adminToken());
            // what is registered in Nacos, and so what peers connect to
            pb.environment().put("SWITCHBOARD_ADVERTISED_IP", "127.0.0.1");
        }
        pb.redirectErrorStream(true);
        pb.redirectOutput(logs.resolve(service + ".log").toFile());
        processes.put(service, pb.start());
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (var p : processes.entrySet()) {
                if (!p.getValue().isAlive()) {
                    throw new IllegalStateException(p.getKey() + " exited during startup; logs in " + logs);
                }
            }
            try {
                HttpResponse<String> models = get(gatewayUrl() + "/v1/models");
                if (models.statusCode() == 200 && models.body().contains(MODEL)) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("suite not ready within " + timeout + "; logs in " + logs);
    }

    public List<Engine> engines() {
        return engines;
    }

    public List<Tenant> tenants() {
        return tenants;
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    public String schedulerUrl() {
        return "http://127.0.0.1:" + schedulerPort;
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    public int schedulerPort() {
        return schedulerPort;
    }

    /** The engine-sim process's own (actuator) port. */
    public int simPort() {
        return simPort;
    }

    /** The adapter process's own (admin, actuator) port. */
    public int adapterPort() {
        return adapterPort;
    }

    /** GET, authenticated as the first tenant. */
    public HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return get(url, Map.of());
    }

    /** GET; authenticated as the first tenant unless {@code headers} has an Authorization. */
    public HttpResponse<String> get(String url, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(request::header);
        if (headers.keySet().stream().noneMatch("Authorization"::equalsIgnoreCase)) {
            request.header("Authorization", "Bearer " + tenants.get(0).apiKey());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST of a JSON body; authenticated as the first tenant unless {@code headers} has an Authorization. */
    public HttpResponse<String> post(String url, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (headers.keySet().stream().noneMatch("Authorization"::equalsIgnoreCase)) {
            request.header("Authorization", "Bearer " + tenants.get(0).apiKey());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Kills one service abruptly (SIGKILL), as a crash would. */
    public void kill(String service) throws InterruptedException {
        Process p = processes.get(service);
        if (p == null || !SERVICES.contains(service)) {
            throw new IllegalArgumentException("no service " + service + "; services: " + SERVICES);
        }
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A free TCP port on the loopback interface. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
