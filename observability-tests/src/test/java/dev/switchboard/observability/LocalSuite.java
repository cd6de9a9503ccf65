package dev.switchboard.observability;

import java.io.IOException;
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

/**
 * The suite as docker-compose runs it, but as local processes: the four packaged executable jars on
 * free 127.0.0.1 ports, wired by static discovery. Topology of docker-compose.yml and ./run.sh: one
 * engine-sim process with two prefill and two decode engines (ids and roles read from engine-sim's
 * application.yml), one adapter fronting them, the scheduler and the gateway with two tenants.
 */
final class LocalSuite implements AutoCloseable {
    static final String MODEL = "llama-3-8b";
    /** Tenant id to API key; the SHA-256 of each key is in the generated tenants file. */
    static final Map<String, String> TENANT_KEYS = Map.of("acme", "sk-observability-acme", "globex", "sk-observability-globex");

    private final Path logs;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int gatewayPort = freePort();
    final int schedulerPort = freePort();
    final int adapterPort = freePort();
    final int simPort = freePort();
    /** Engines as engine-sim's application.yml lists them: id to its default port and role. */
    final List<Engine> engines = new ArrayList<>();

    /** One simulated engine: its id, role, port in the default config, port here, adapter listener port here. */
    record Engine(String id, String role, int defaultPort, int port, int adapterPort) {
    }

    LocalSuite(Path logs) {
        this.logs = logs;
        Map<String, Object> sim = Repo.map(Repo.map(Repo.map(Repo.yamlDocuments(
                Repo.ROOT.resolve("engine-sim/src/main/resources/application.yml")).get(0)).get("switchboard")).get("sim"));
        for (Object o : Repo.list(sim.get("engines"))) {
            Map<String, Object> e = Repo.map(o);
            engines.add(new Engine(String.valueOf(e.get("id")), String.valueOf(e.get("role")), ((Number) e.get("port")).intValue(),
                    freePort(), freePort()));
        }
    }

    void start(Duration timeout) throws Exception {
        Files.createDirectories(logs);
        List<Map<String, Object>> simEngines = new ArrayList<>();
        List<Map<String, Object>> adapterEngines = new ArrayList<>();
        List<Map<String, Object>> staticEngines = new ArrayList<>();
        for (Engine e : engines) {
            simEngines.add(Map.of("id", e.id(), "port", e.port(), "role", e.role(), "model", MODEL, "output-tokens", "8-24"));
            String engineUrl = "http://127.0.0.1:" + e.port();
            adapterEngines.add(Map.of("listen-port", e.adapterPort(), "endpoint-id", e.id(), "role", e.role(),
                    "engine-kind", "vllm", "model", MODEL, "engine-url", engineUrl, "pd-transfer", "nixl"));
            staticEngines.add(Map.of("uri", "http://127.0.0.1:" + e.adapterPort(), "metadata", Map.of(
                    "switchboard.endpoint-id", e.id(), "switchboard.role", e.role(), "switchboard.engine-kind", "vllm",
                    "switchboard.model", MODEL, "switchboard.engine-url", engineUrl, "switchboard.pd-transfer", "nixl")));
        }
        StringBuilder tenants = new StringBuilder("tenants:\n");
        TENANT_KEYS.forEach((id, key) -> tenants.append("  - id: ").append(id).append("\n    api-key-sha256: [ \"")
                .append(TenantsConfig.sha256Hex(key)).append("\" ]\n"));
        Path tenantsFile = logs.resolve("tenants.yaml");
        Files.writeString(tenantsFile, tenants);

        launch("engine-sim", Map.of("server", Map.of("port", simPort),
                "switchboard", Map.of("sim", Map.of("engines", simEngines))));
        launch("engine-adapter", Map.of("server", Map.of("port", adapterPort),
                "switchboard", Map.of("adapter", Map.of("engines", adapterEngines))));
        launch("scheduler-service", Map.of("server", Map.of("port", schedulerPort),
                "spring", Map.of("cloud", Map.of("discovery", Map.of("client", Map.of("simple",
                        Map.of("instances", Map.of("switchboard-engines", staticEngines))))))));
        launch("gateway-service", Map.of("server", Map.of("port", gatewayPort),
                "spring", Map.of("cloud", Map.of("discovery", Map.of("client", Map.of("simple",
                        Map.of("instances", Map.of(
                                "switchboard-scheduler", List.of(Map.of("uri", "http://127.0.0.1:" + schedulerPort)),
                                "switchboard-engines", staticEngines)))))),
                "switchboard", Map.of("gateway", Map.of("auth", Map.of("open", false, "tenants-file", tenantsFile.toString())))));
        awaitReady(timeout);
    }

    /**
     * Where each docker-compose scrape target of dashboard/prometheus/prometheus.yml runs here
     * ({@code service:port} to {@code 127.0.0.1:port}).
     */
    Map<String, String> composeTargets() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("gateway:8080", local(gatewayPort));
        out.put("scheduler:8090", local(schedulerPort));
        out.put("engine-adapter:8070", local(adapterPort));
        out.put("engine-sim:8000", local(simPort));
        for (Engine e : engines) {
            out.put("engine-sim:" + e.defaultPort(), local(e.port()));
        }
        return out;
    }

    private static String local(int port) {
        return "127.0.0.1:" + port;
    }

    private void launch(String service, Map<String, Object> config) throws IOException {
        Path jar = Repo.ROOT.resolve(service).resolve("target").resolve(service + "-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; package the services first (./mvnw -B -DskipTests package)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString());
        // SPRING_APPLICATION_JSON outranks the jars' application.yml; lists in it replace the defaults
        pb.environment().put("SPRING_APPLICATION_JSON", Dashboards.JSON.writeValueAsString(config));
        pb.environment().remove("NACOS_SERVER_ADDR");
        pb.environment().remove("SPRING_PROFILES_ACTIVE");
        pb.redirectErrorStream(true);
        pb.redirectOutput(logs.resolve(service + ".log").toFile());
        processes.add(pb.start());
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String key = TENANT_KEYS.values().iterator().next();
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a service exited during startup; logs in " + logs);
                }
            }
            try {
                HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl() + "/v1/models"))
                        .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
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

    String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    /** POSTs a JSON body to the gateway as {@code tenant}; returns the status (the body is read to its end). */
    int post(String path, String tenant, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TENANT_KEYS.get(tenant))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
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

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
