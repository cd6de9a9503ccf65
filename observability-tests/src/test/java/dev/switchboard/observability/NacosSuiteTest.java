package dev.switchboard.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.ConfigType;
import com.alibaba.nacos.api.naming.NamingFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;

import dev.switchboard.contract.MetadataKeys;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.testkit.LocalSuite;
import dev.switchboard.testkit.NacosTestServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged suite (engine-sim, engine-adapter, scheduler, gateway) with the {@code nacos} profile
 * of docker-compose: discovery and config through a real Nacos. Runs against {@code NACOS_SERVER_ADDR}
 * (with {@code NACOS_USERNAME}/{@code NACOS_PASSWORD}, default nacos/nacos) when set, else against a
 * Nacos 3.0.3 container; skipped when neither is available (no Docker in CI). Every run uses a
 * namespace of its own (so reruns and other suites on the same server never collide) and removes its
 * configs at the end.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NacosSuiteTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GROUP = "SWITCHBOARD";
    private static final String POLICY = "switchboard-scheduler.yaml";
    private static final String TENANTS = "switchboard-tenants.yaml";
    private static final String ADMIN_TOKEN = "nacos-suite-admin-" + UUID.randomUUID();
    /** How soon a config published in Nacos must be in force (the bound). */
    private static final Duration CONFIG_BOUND = Duration.ofSeconds(5);

    private NacosTestServer nacos;
    private String namespace;
    private String serverAddr;
    private String username;
    private String password;
    private ConfigService config;
    private NamingService naming;
    private LocalSuite suite;
    private final Map<String, String> timings = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        nacos = NacosTestServer.startOrSkip("the Nacos suite test");
        serverAddr = nacos.serverAddr();
        username = nacos.username();
        password = nacos.password();
        namespace = "switchboard-it-" + UUID.randomUUID().toString().substring(0, 8);
        timings.put("Nacos " + serverAddr + ", namespace", namespace);
        Properties properties = new Properties();
        properties.put(PropertyKeyConst.SERVER_ADDR, serverAddr);
        properties.put(PropertyKeyConst.USERNAME, username);
        properties.put(PropertyKeyConst.PASSWORD, password);
        properties.put(PropertyKeyConst.NAMESPACE, namespace);
        config = ConfigFactory.createConfigService(properties);
        naming = NamingFactory.createNamingService(properties);

        Path logs = Repo.WORK.resolve("nacos-suite");
        suite = LocalSuite.builder(Repo.ROOT, logs)
                .engine("prefill-1", "prefill")
                .engine("decode-1", "decode")
                .engine("decode-2", "decode")
                .tenant("acme", "sk-nacos-suite-acme", 0)
                .nacos(new LocalSuite.Nacos(serverAddr, username, password, namespace, ADMIN_TOKEN, nacos.grpcPortOffset()))
                .build();
        // what docker-compose's nacos-init imports: the shipped default policy, and the tenants
        publish(POLICY, Repo.read(Repo.NACOS_CONFIG.resolve(POLICY)));
        publish(TENANTS, suite.tenantsYaml());
        suite.start(Duration.ofSeconds(180));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (suite != null) {
                suite.close();
            }
            if (config != null) {
                config.removeConfig(POLICY, GROUP);
                config.removeConfig(TENANTS, GROUP);
                config.shutDown();
            }
            if (naming != null) {
                naming.shutDown();
            }
        } finally {
            if (nacos != null) {
                nacos.close();
            }
            timings.forEach((what, took) -> System.out.println("[nacos-suite] " + what + ": " + took));
        }
    }

    @Test
    @Order(1)
    void enginesAppearInNacosWithTheirMetadataAndTheSchedulerListsThem() throws Exception {
        List<Instance> instances = awaitValue(Duration.ofSeconds(30), "three engines in Nacos",
                () -> naming.getAllInstances(MetadataKeys.ENGINES_SERVICE, "DEFAULT_GROUP", false), l -> l.size() == 3);
        Map<String, Instance> byId = new LinkedHashMap<>();
        instances.forEach(i -> byId.put(i.getMetadata().get(MetadataKeys.ENDPOINT_ID), i));
        assertThat(byId).containsOnlyKeys("prefill-1", "decode-1", "decode-2");
        for (LocalSuite.Engine engine : suite.engines()) {
            Instance instance = byId.get(engine.id());
            assertThat(instance.getIp()).isEqualTo("127.0.0.1");
            assertThat(instance.getPort()).isEqualTo(engine.adapterPort());
            assertThat(instance.isHealthy()).isTrue();
            assertThat(instance.isEnabled()).isTrue();
            assertThat(instance.getMetadata())
                    .containsEntry(MetadataKeys.ROLE, engine.role())
                    .containsEntry(MetadataKeys.MODEL, LocalSuite.MODEL)
                    .containsEntry(MetadataKeys.ENGINE_KIND, "vllm")
                    .containsEntry(MetadataKeys.ENGINE_URL, engine.url())
                    .containsEntry(MetadataKeys.PD_TRANSFER, "nixl")
                    // resolved from the engine itself, not configured
                    .containsKeys(MetadataKeys.KV_BLOCK_SIZE, MetadataKeys.KV_CAPACITY_TOKENS, MetadataKeys.MAX_MODEL_LEN);
        }
        // the scheduler registers itself, which is how the gateway finds it
        assertThat(naming.getAllInstances(MetadataKeys.SCHEDULER_SERVICE, "DEFAULT_GROUP", false))
                .extracting(Instance::getIp, Instance::getPort).containsExactly(tuple("127.0.0.1", suite.schedulerPort()));

        JsonNode endpoints = awaitValue(Duration.ofSeconds(15), "the scheduler lists the three engines", this::schedulerEndpoints,
                e -> ids(e, true).size() == 3);
        for (LocalSuite.Engine engine : suite.engines()) {
            JsonNode e = endpoint(endpoints, engine.id());
            assertThat(e.path("address").asString()).isEqualTo("127.0.0.1:" + engine.adapterPort());
            assertThat(e.path("role").asString()).isEqualTo(engine.role());
            assertThat(e.path("model").asString()).isEqualTo(LocalSuite.MODEL);
        }
        // and a request goes the whole way: gateway -> scheduler (both found in Nacos) -> adapter -> engine
        HttpResponse<String> completion = suite.post(suite.gatewayUrl() + "/v1/completions",
                "{\"model\":\"" + LocalSuite.MODEL + "\",\"prompt\":\"Nacos says hello\",\"max_tokens\":4}", Map.of());
        assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void aDrainAtTheAdapterReachesNacosAndTheScheduler() throws Exception {
        assertThat(adapterAdmin("/admin/drain?endpoint=decode-2").statusCode()).isEqualTo(202);
        long started = System.nanoTime();
        awaitValue(Duration.ofSeconds(15), "decode-2 leaves the healthy instances in Nacos",
                () -> naming.selectInstances(MetadataKeys.ENGINES_SERVICE, "DEFAULT_GROUP", true, false),
                l -> l.size() == 2 && l.stream().noneMatch(i -> "decode-2".equals(i.getMetadata().get(MetadataKeys.ENDPOINT_ID))));
        awaitValue(Duration.ofSeconds(15), "the scheduler stops routing to decode-2", this::schedulerEndpoints,
                e -> !ids(e, true).contains("decode-2") && ids(e, true).containsAll(List.of("prefill-1", "decode-1")));
        timings.put("drain -> scheduler", millis(started));

        assertThat(adapterAdmin("/admin/undrain?endpoint=decode-2").statusCode()).isEqualTo(200);
        started = System.nanoTime();
        awaitValue(Duration.ofSeconds(15), "decode-2 is back in the scheduler", this::schedulerEndpoints,
                e -> ids(e, true).size() == 3);
        timings.put("undrain -> scheduler", millis(started));
    }

    @Test
    @Order(3)
    void anEngineHealthChangeReachesNacosAndTheScheduler() throws Exception {
        // the simulator's admin port survives an engine crash, and can bring the engine back
        String faults = "http://127.0.0.1:" + suite.simPort() + "/sim/engines/decode-1/faults";
        assertThat(suite.post(faults, "{\"crash\":true}", Map.of()).statusCode()).isEqualTo(200);
        long started = System.nanoTime();
        // a Nacos server hands no disabled instance to clients: the sick engine leaves every client's view ...
        awaitValue(Duration.ofSeconds(20), "decode-1 gone from the clients' view of Nacos",
                () -> naming.getAllInstances(MetadataKeys.ENGINES_SERVICE, "DEFAULT_GROUP", false),
                l -> l.size() == 2 && l.stream().noneMatch(i -> "decode-1".equals(i.getMetadata().get(MetadataKeys.ENDPOINT_ID))));
        awaitValue(Duration.ofSeconds(20), "the scheduler stops routing to decode-1", this::schedulerEndpoints,
                e -> !ids(e, true).contains("decode-1"));
        timings.put("engine crash -> scheduler", millis(started));
        // ... and stays listed for operators (console, admin API) as unhealthy and offline
        JsonNode listed = adminInstances();
        assertThat(listed).as(listed.toString()).hasSize(3);
        JsonNode sick = null;
        for (JsonNode i : listed) {
            if ("decode-1".equals(i.path("metadata").path(MetadataKeys.ENDPOINT_ID).asString())) {
                sick = i;
            }
        }
        assertThat(sick).as(listed.toString()).isNotNull();
        assertThat(sick.path("healthy").asBoolean()).isFalse();
        assertThat(sick.path("enabled").asBoolean()).isFalse();

        assertThat(suite.post(faults, "{\"crash\":false}", Map.of()).statusCode()).isEqualTo(200);
        started = System.nanoTime();
        awaitValue(Duration.ofSeconds(20), "decode-1 is back in the scheduler", this::schedulerEndpoints,
                e -> ids(e, true).size() == 3);
        timings.put("engine recovery -> scheduler", millis(started));
    }

    @Test
    @Order(4)
    void aPolicyPublishedInNacosAppliesWithinFiveSeconds() throws Exception {
        assertThat(policy().path("name").asString()).isEqualTo("switchboard-default");
        String changed = Repo.read(Repo.NACOS_CONFIG.resolve(POLICY))
                .replaceFirst("(?m)^name: switchboard-default$", "name: nacos-suite-policy");
        long started = publish(POLICY, changed);
        JsonNode policy = awaitValue(CONFIG_BOUND, "the published policy in force", this::policy,
                p -> p.path("name").asString().equals("nacos-suite-policy"));
        timings.put("policy publish -> in force", millis(started));
        assertThat(policy.path("source").asString()).as("the published text is the one in force").isEqualTo(changed);
        assertThat(policy.path("applied").path("origin").asString()).as("the admin view names where it came from")
                .isEqualTo("nacos " + GROUP + "/" + POLICY);
        assertThat(absent(policy.path("lastError"))).as(policy.toString()).isTrue();
    }

    @Test
    @Order(5)
    void anInvalidPolicyIsRejectedAndTheLastGoodOneKept() throws Exception {
        double rejectedBefore = metric(suite.schedulerUrl(), "switchboard_scheduler_policy_updates_total", "rejected");
        // a typo in the console: an unknown plugin type in an otherwise good policy
        String typo = Repo.read(Repo.NACOS_CONFIG.resolve(POLICY)).replaceFirst("(?m)^name: switchboard-default$", "name: typo")
                .replace("type: least-request-scorer", "type: least-requests-scorer");
        long started = publish(POLICY, typo);
        JsonNode policy = awaitValue(CONFIG_BOUND, "the rejection reported", this::policy,
                p -> !absent(p.path("lastError")));
        timings.put("bad policy publish -> rejected", millis(started));
        assertThat(policy.path("name").asString()).as("the last good policy stays").isEqualTo("nacos-suite-policy");
        assertThat(policy.path("lastError").path("source").asString()).isEqualTo("nacos " + GROUP + "/" + POLICY);
        assertThat(policy.path("lastError").path("message").asString()).contains("least-requests-scorer");
        assertThat(metric(suite.schedulerUrl(), "switchboard_scheduler_policy_updates_total", "rejected"))
                .isEqualTo(rejectedBefore + 1);
        // requests are still scheduled with it
        HttpResponse<String> completion = suite.post(suite.gatewayUrl() + "/v1/completions",
                "{\"model\":\"" + LocalSuite.MODEL + "\",\"prompt\":\"still routed\",\"max_tokens\":4}", Map.of());
        assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);

        // the next good version applies and clears the error
        publish(POLICY, Repo.read(Repo.NACOS_CONFIG.resolve(POLICY)));
        awaitValue(CONFIG_BOUND, "the default policy back", this::policy,
                p -> p.path("name").asString().equals("switchboard-default") && absent(p.path("lastError")));
    }

    @Test
    @Order(6)
    void tenantsPublishedInNacosReachGatewayAndSchedulerAndABadVersionIsRejected() throws Exception {
        String newKey = "sk-nacos-suite-globex";
        assertThat(modelsAs(newKey)).isEqualTo(401);
        String good = suite.tenantsYaml() + "  - id: globex\n    weight: 2\n    api-key-sha256: [ \""
                + TenantsConfig.sha256Hex(newKey) + "\" ]\n";
        long started = publish(TENANTS, good);
        awaitValue(CONFIG_BOUND, "the gateway accepts the new tenant's key", () -> modelsAs(newKey), s -> s == 200);
        awaitValue(CONFIG_BOUND, "the scheduler admits the new tenant", () -> adminGet(suite.schedulerUrl() + "/admin/tenants"),
                t -> t.toString().contains("\"globex\""));
        timings.put("tenants publish -> gateway and scheduler", millis(started));

        double gatewayRejected = metric(suite.gatewayUrl(), "switchboard_gateway_tenants_updates_total", "rejected");
        double schedulerRejected = metric(suite.schedulerUrl(), "switchboard_scheduler_tenants_updates_total", "rejected");
        // unknown keys are errors: the whole version is refused
        publish(TENANTS, "tenants:\n  - id: acme\n    api-key-sha256: [ \"not-a-hash\" ]\n    bogus: 1\n");
        awaitValue(CONFIG_BOUND, "the gateway rejects the bad tenants",
                () -> metric(suite.gatewayUrl(), "switchboard_gateway_tenants_updates_total", "rejected"),
                v -> v == gatewayRejected + 1);
        awaitValue(CONFIG_BOUND, "the scheduler rejects the bad tenants",
                () -> metric(suite.schedulerUrl(), "switchboard_scheduler_tenants_updates_total", "rejected"),
                v -> v == schedulerRejected + 1);
        assertThat(modelsAs(newKey)).as("the last good tenants stay").isEqualTo(200);
        assertThat(modelsAs(suite.tenants().get(0).apiKey())).isEqualTo(200);
        assertThat(adminGet(suite.schedulerUrl() + "/admin/tenants").toString()).contains("\"globex\"");
    }

    // ------------------------------------------------------------------------------------- helpers

    /** Publishes a config; returns when (System.nanoTime) Nacos accepted it. */
    private long publish(String dataId, String content) throws Exception {
        assertThat(config.publishConfig(dataId, GROUP, content, ConfigType.YAML.getType()))
                .as("publish " + GROUP + "/" + dataId + " in namespace " + namespace).isTrue();
        return System.nanoTime();
    }

    /** Every instance of the engines service as the Nacos admin API (and console) lists them, disabled ones too. */
    private JsonNode adminInstances() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        HttpResponse<String> login = suite.post("http://" + serverAddr + "/nacos/v3/auth/user/login?username="
                + enc(username) + "&password=" + enc(password), "", Map.of("Authorization", "none"));
        if (login.statusCode() == 200 && JSON.readTree(login.body()).has("accessToken")) {
            headers.put("Authorization", "Bearer " + JSON.readTree(login.body()).path("accessToken").asString());
        } else {
            headers.put("Authorization", "none"); // auth disabled (the container)
        }
        HttpResponse<String> list = suite.get("http://" + serverAddr + "/nacos/v3/admin/ns/instance/list?namespaceId="
                + enc(namespace) + "&groupName=DEFAULT_GROUP&serviceName=" + MetadataKeys.ENGINES_SERVICE, headers);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        return JSON.readTree(list.body()).path("data");
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private JsonNode schedulerEndpoints() throws Exception {
        return adminGet(suite.schedulerUrl() + "/admin/endpoints");
    }

    private JsonNode policy() throws Exception {
        return adminGet(suite.schedulerUrl() + "/admin/policy");
    }

    private JsonNode adminGet(String url) throws Exception {
        HttpResponse<String> response = suite.get(url, Map.of("Authorization", "Bearer " + ADMIN_TOKEN));
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> adapterAdmin(String pathAndQuery) throws Exception {
        return suite.post("http://127.0.0.1:" + suite.adapterPort() + pathAndQuery, "",
                Map.of("Authorization", "Bearer " + ADMIN_TOKEN));
    }

    private int modelsAs(String apiKey) throws Exception {
        return suite.get(suite.gatewayUrl() + "/v1/models", Map.of("Authorization", "Bearer " + apiKey)).statusCode();
    }

    /** Ids of the scheduler's endpoints; with {@code accepting} only those it would route to. */
    private static List<String> ids(JsonNode endpoints, boolean accepting) {
        List<String> ids = new ArrayList<>();
        for (JsonNode e : endpoints) {
            if (!accepting || (e.path("accepting").asBoolean() && !e.path("stale").asBoolean())) {
                ids.add(e.path("id").asString());
            }
        }
        return ids;
    }

    private static boolean absent(JsonNode node) {
        return node.isNull() || node.isMissingNode();
    }

    private static JsonNode endpoint(JsonNode endpoints, String id) {
        for (JsonNode e : endpoints) {
            if (id.equals(e.path("id").asString())) {
                return e;
            }
        }
        throw new AssertionError("no endpoint " + id + " in " + endpoints);
    }

    /** The value of a counter with label {@code result="<result>"} on a service's Prometheus page (0 if absent). */
    private double metric(String serviceUrl, String name, String result) throws Exception {
        HttpResponse<String> page = suite.get(serviceUrl + "/actuator/prometheus");
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*result=\"" + Pattern.quote(result)
                + "\"[^}]*}\\s+(\\S+)$").matcher(page.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String millis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos) + " ms";
    }

    /** Polls {@code read} every 100 ms until {@code done} holds; fails with the last value after {@code bound}. */
    private static <T> T awaitValue(Duration bound, String what, Callable<T> read, Predicate<T> done)
            throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        T last = null;
        Exception error = null;
        while (true) {
            try {
                last = read.call();
                error = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                error = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError failure = new AssertionError("not within " + bound.toMillis() + " ms: " + what + "; last seen: " + last);
                if (error != null) {
                    failure.initCause(error);
                }
                throw failure;
            }
            Thread.sleep(100);
        }
    }
}
