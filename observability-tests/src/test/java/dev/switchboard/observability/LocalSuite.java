package dev.switchboard.observability;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite as docker-compose runs it, but as local processes (through the shared
 * {@link dev.switchboard.testkit.LocalSuite}): the engines of engine-sim's application.yml (ids and
 * roles; two prefill, two decode), one adapter fronting them, the scheduler and the gateway with two
 * tenants, each on a free 127.0.0.1 port; plus the mapping from docker-compose scrape targets to here.
 */
final class LocalSuite implements AutoCloseable {
    static final String MODEL = dev.switchboard.testkit.LocalSuite.MODEL;
    /** Tenant id to API key. */
    static final Map<String, String> TENANT_KEYS = Map.of("acme", "sk-observability-acme", "globex", "sk-observability-globex");

    /** The default port of each engine id in engine-sim's application.yml (its docker-compose port). */
    private final Map<String, Integer> defaultPorts = new LinkedHashMap<>();
    private final dev.switchboard.testkit.LocalSuite suite;

    LocalSuite(Path logs) {
        Map<String, Object> sim = Repo.map(Repo.map(Repo.map(Repo.yamlDocuments(
                Repo.ROOT.resolve("engine-sim/src/main/resources/application.yml")).get(0)).get("switchboard")).get("sim"));
        var builder = dev.switchboard.testkit.LocalSuite.builder(Repo.ROOT, logs).simEngineSetting("output-tokens", "8-24");
        for (Object o : Repo.list(sim.get("engines"))) {
            Map<String, Object> e = Repo.map(o);
            defaultPorts.put(String.valueOf(e.get("id")), ((Number) e.get("port")).intValue());
            builder.engine(String.valueOf(e.get("id")), String.valueOf(e.get("role")));
        }
        TENANT_KEYS.forEach((id, key) -> builder.tenant(id, key, 0));
        this.suite = builder.build();
    }

    void start(Duration timeout) throws Exception {
        suite.start(timeout);
    }

    /**
     * Where each docker-compose scrape target of dashboard/prometheus/prometheus.yml runs here
     * ({@code service:port} to {@code 127.0.0.1:port}).
     */
    Map<String, String> composeTargets() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("gateway:8080", local(suite.gatewayPort()));
        out.put("scheduler:8090", local(suite.schedulerPort()));
        out.put("engine-adapter:8070", local(suite.adapterPort()));
        out.put("engine-sim:8000", local(suite.simPort()));
        for (var e : suite.engines()) {
            out.put("engine-sim:" + defaultPorts.get(e.id()), local(e.port()));
        }
        return out;
    }

    private static String local(int port) {
        return "127.0.0.1:" + port;
    }

    String gatewayUrl() {
        return suite.gatewayUrl();
    }

    /** POSTs a JSON body to the gateway as {@code tenant}; returns the status. */
    int post(String path, String tenant, String body) throws IOException, InterruptedException {
        return suite.post(gatewayUrl() + path, body, Map.of("Authorization", "Bearer " + TENANT_KEYS.get(tenant))).statusCode();
    }

    @Override
    public void close() {
        suite.close();
    }

    static int freePort() {
        return dev.switchboard.testkit.LocalSuite.freePort();
    }
}
