package dev.switchboard.e2e;

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
import tools.jackson.databind.json.JsonMapper;

/**
 * The suite as a user runs it: the four packaged executable jars as separate processes on
 * loopback, wired by static discovery, on free ports (so a running ./run.sh does not interfere).
 * Topology: one prefill and two decode engines in one engine-sim process, one adapter fronting all.
 */
final class LocalSuite implements AutoCloseable {
    static final String MODEL = "llama-3-8b";
    /** The API key of the test tenant (its SHA-256 is in the generated tenants file). */
    static final String API_KEY = "sk-switchboard-e2e";
    /** A tenant with a 200 tokens-per-minute quota. */
    static final String TINY_QUOTA_KEY = "sk-switchboard-tiny";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path root = Path.of(System.getProperty("switchboard.root", "..")).toAbsolutePath().normalize();
    private final Path logs = root.resolve("e2e-tests/target/e2e-logs");
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> byService = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int gatewayPort = freePort();
    final int schedulerPort = freePort();
    final int[] enginePorts = {freePort(), freePort(), freePort()};
    final int[] adapterPorts = {freePort(), freePort(), freePort()};
    final String[] endpointIds = {"prefill-1", "decode-1", "decode-2"};
    final String[] roles = {"prefill", "decode", "decode"};

    void start(Duration timeout) throws Exception {
        Files.createDirectories(logs);
        List<Map<String, Object>> simEngines = new ArrayList<>();
        List<Map<String, Object>> adapterEngines = new ArrayList<>();
        List<Map<String, Object>> staticEngines = new ArrayList<>();
        for (int i = 0; i < enginePorts.length; i++) {
            simEngines.add(Map.of("id", endpointIds[i], "port", enginePorts[i], "role", roles[i], "model", MODEL,
                    "token-delay", "15ms", "output-tokens", "8-24"));
            String engineUrl = "http://127.0.0.1:" + enginePorts[i];
            adapterEngines.add(Map.of("listen-port", adapterPorts[i], "endpoint-id", endpointIds[i], "role", roles[i],
                    "engine-kind", "vllm", "model", MODEL, "engine-url", engineUrl));
            staticEngines.add(Map.of("uri", "http://127.0.0.1:" + adapterPorts[i], "metadata", Map.of(
                    "switchboard.endpoint-id", endpointIds[i], "switchboard.role", roles[i],
                    "switchboard.engine-kind", "vllm", "switchboard.model", MODEL, "switchboard.engine-url", engineUrl)));
        }
        launch("engine-sim", Map.of("server", Map.of("port", freePort()),
                "switchboard", Map.of("sim", Map.of("engines", simEngines))));
        launch("engine-adapter", Map.of("server", Map.of("port", freePort()),
                "switchboard", Map.of("adapter", Map.of("engines", adapterEngines))));
        Path tenants = logs.resolve("tenants.yaml");
        Files.writeString(tenants, "tenants:\n"
                + "  - id: e2e-tenant\n    api-key-sha256: [ \"" + TenantsConfig.sha256Hex(API_KEY) + "\" ]\n"
                + "  - id: tiny-quota\n    tokens-per-minute: 200\n    api-key-sha256: [ \"" + TenantsConfig.sha256Hex(TINY_QUOTA_KEY)
                + "\" ]\n");
        launch("scheduler-service", Map.of("server", Map.of("port", schedulerPort),
                "switchboard", Map.of("scheduler", Map.of("tenants-file", tenants.toString())),
                "spring", Map.of("cloud", Map.of("discovery", Map.of("client", Map.of("simple",
                        Map.of("instances", Map.of("switchboard-engines", staticEngines))))))));
        launch("gateway-service", Map.of("server", Map.of("port", gatewayPort),
                "spring", Map.of("cloud", Map.of("discovery", Map.of("client", Map.of("simple",
                        Map.of("instances", Map.of(
                                "switchboard-scheduler", List.of(Map.of("uri", "http://127.0.0.1:" + schedulerPort)),
                                "switchboard-engines", staticEngines)))))),
                "switchboard", Map.of("gateway", Map.of("max-body-size", "64KB",
                        "auth", Map.of("open", false, "tenants-file", tenants.toString())))));
        awaitReady(timeout);
    }

    private void launch(String service, Map<String, Object> config) throws IOException {
        Path jar = root.resolve(service).resolve("target").resolve(service + "-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; the e2e tests need the packaged services (run ./mvnw verify)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString());
        // SPRING_APPLICATION_JSON outranks the jars' application.yml; lists in it replace the defaults
        pb.environment().put("SPRING_APPLICATION_JSON", JSON.writeValueAsString(config));
        pb.environment().remove("NACOS_SERVER_ADDR");
        pb.redirectErrorStream(true);
        pb.redirectOutput(logs.resolve(service + ".log").toFile());
        Process process = pb.start();
        processes.add(process);
        byService.put(service, process);
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a service exited during startup; logs in " + logs);
                }
            }
            try {
                HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl() + "/v1/models"))
                        .header("Authorization", "Bearer " + API_KEY).timeout(Duration.ofSeconds(10)).build(),
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

    String schedulerUrl() {
        return "http://127.0.0.1:" + schedulerPort;
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String url, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (!headers.containsKey("Authorization")) {
            request.header("Authorization", "Bearer " + API_KEY);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every request each engine received, as recorded by the simulator ({@code GET /sim/requests}). */
    Map<String, List<Map<String, Object>>> engineRequests() throws IOException, InterruptedException {
        Map<String, List<Map<String, Object>>> byEngine = new LinkedHashMap<>();
        for (int i = 0; i < enginePorts.length; i++) {
            String body = get("http://127.0.0.1:" + enginePorts[i] + "/sim/requests").body();
            byEngine.put(endpointIds[i], JSON.readValue(body,
                    JSON.getTypeFactory().constructCollectionType(List.class, Map.class)));
        }
        return byEngine;
    }

    /** Kills one service process abruptly (SIGKILL), as a crash would. */
    void kill(String service) throws InterruptedException {
        Process p = byService.get(service);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
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

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
