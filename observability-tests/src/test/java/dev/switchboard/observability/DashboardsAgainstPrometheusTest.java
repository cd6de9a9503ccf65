package dev.switchboard.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import tools.jackson.databind.JsonNode;

/**
 * The dashboards against a real Prometheus: the packaged services run as processes on loopback, a
 * light load goes through the gateway, a real {@code prometheus} binary scrapes everything with the
 * jobs, labels and relabelling of dashboard/prometheus/prometheus.yml (targets mapped to the local
 * ports), and every PromQL expression of every dashboard panel must return data. Skips itself when
 * the {@code prometheus} binary is not installed (Debian package {@code prometheus}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardsAgainstPrometheusTest {
    /** Grafana's $__rate_interval and $__range as the test sets them (scrapes every second). */
    private static final String RATE_INTERVAL = "1m";
    private static final String RANGE = "5m";
    /**
     * Counters a service registers with their first event, which light load does not cause (a retry,
     * a scheduler outage, a lost event stream, an expired lease, a failed engine scrape, a queued request). Panels show
     * them with an explicit {@code or on() vector(0)}; here they must be documented and registered in
     * the sources instead of scraped.
     */
    static final Set<String> CREATED_ON_FIRST_EVENT = Set.of(
            "switchboard_gateway_retries_total",
            "switchboard_gateway_scheduler_fallbacks_total",
            "switchboard_scheduler_adapter_stream_reconnects_total",
            "switchboard_scheduler_adapter_events_invalid_total",
            "switchboard_scheduler_kv_event_gaps_total",
            "switchboard_scheduler_leases_expired_total",
            "switchboard_adapter_scrape_errors_total",
            "switchboard_scheduler_admission_wait_seconds_sum",
            "switchboard_scheduler_admission_wait_seconds_count");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)");

    private final Path work = Repo.WORK.resolve("live");
    private LocalSuite suite;
    private PrometheusServer prometheus;
    private final List<Dashboards.Dashboard> dashboards = Dashboards.load();
    private Map<Integer, Integer> loadStatuses;

    @BeforeAll
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void startEverything() throws Exception {
        assumeTrue(PrometheusServer.available(), "SKIPPED: the prometheus and promtool binaries are not on PATH "
                + "(Debian: apt-get install prometheus); the dashboards are not checked against a real Prometheus");
        deleteRecursively(work);
        Files.createDirectories(work);
        suite = new LocalSuite(work.resolve("logs"));
        suite.start(Duration.ofSeconds(150));
        Path config = writeScrapeConfig(suite.composeTargets());
        prometheus = PrometheusServer.start(config, work.resolve("tsdb"), work.resolve("prometheus.log"), Duration.ofSeconds(30));
        awaitTargetsUp(Duration.ofSeconds(20));
        loadStatuses = LightLoad.run(suite, 4, 60);
        System.out.println("[observability] light load, requests by status: " + loadStatuses);
        int total = loadStatuses.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(loadStatuses.getOrDefault(200, 0)).as("successful requests of the light load " + loadStatuses
                + " (service logs in " + work.resolve("logs") + ")").isGreaterThanOrEqualTo(total * 3 / 4);
        awaitScraped(Duration.ofSeconds(20));
        List<String> names = new ArrayList<>();
        prometheus.api("/api/v1/label/__name__/values").forEach(n -> names.add(n.asString()));
        Files.write(work.resolve("scraped-metric-names.txt"), names);
    }

    @AfterAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void stopEverything() throws InterruptedException {
        // for debugging dashboards by hand: -Dobservability.keepAliveSeconds=300 keeps the suite and
        // Prometheus (URL printed below) running after the tests
        long keep = Long.getLong("observability.keepAliveSeconds", 0);
        if (keep > 0 && prometheus != null) {
            System.out.println("[observability] keeping Prometheus at " + prometheus.url() + " and the suite (gateway "
                    + suite.gatewayUrl() + ") for " + keep + "s");
            Thread.sleep(keep * 1000);
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (suite != null) {
            suite.close();
        }
    }

    /**
     * The scrape config Prometheus runs here: dashboard/prometheus/prometheus.yml with every
     * docker-compose target replaced by the local process, a 1s interval, and the DNS-discovered
     * targets of the gpu profile left out. Fails if a static target has no local counterpart, so
     * the shipped file cannot drift from the suite's topology.
     */
    private Path writeScrapeConfig(Map<String, String> composeTargets) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>(Repo.yaml(Repo.PROMETHEUS.resolve("prometheus.yml")));
        config.put("global", Map.of("scrape_interval", "1s", "scrape_timeout", "1s", "evaluation_interval", "1s"));
        Set<String> unmapped = new TreeSet<>();
        List<Object> jobs = new ArrayList<>();
        for (Object o : Repo.list(config.get("scrape_configs"))) {
            Map<String, Object> job = new LinkedHashMap<>(Repo.map(o));
            job.remove("dns_sd_configs");
            List<Object> statics = new ArrayList<>();
            for (Object s : Repo.list(job.get("static_configs"))) {
                Map<String, Object> group = new LinkedHashMap<>(Repo.map(s));
                List<Object> targets = new ArrayList<>();
                for (Object t : Repo.list(group.get("targets"))) {
                    String local = composeTargets.get(String.valueOf(t));
                    if (local == null) {
                        unmapped.add(job.get("job_name") + ": " + t);
                    } else {
                        targets.add(local);
                    }
                }
                group.put("targets", targets);
                statics.add(group);
            }
            job.put("static_configs", statics);
            jobs.add(job);
        }
        assertThat(unmapped).as("scrape targets of prometheus.yml that the local suite does not run").isEmpty();
        config.put("scrape_configs", jobs);
        Path dir = work.resolve("config");
        Files.createDirectories(dir);
        for (Object rules : Repo.list(config.get("rule_files"))) {
            Files.copy(Repo.PROMETHEUS.resolve(String.valueOf(rules)), dir.resolve(String.valueOf(rules)));
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, new Yaml(options).dump(config));
        assertThat(Repo.run(dir, 60, "promtool", "check", "config", file.toString()).exitCode())
                .as("promtool check config of the generated local config").isZero();
        return file;
    }

    private void awaitTargetsUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> down = List.of();
        while (System.nanoTime() < deadline) {
            JsonNode targets = prometheus.api("/api/v1/targets?state=active").get("activeTargets");
            down = new ArrayList<>();
            for (JsonNode t : targets) {
                if (!"up".equals(t.get("health").asString())) {
                    down.add(t.at("/labels/job").asString() + " " + t.get("scrapeUrl").asString() + " "
                            + t.get("health").asString() + " " + t.path("lastError").asString());
                }
            }
            if (targets.size() > 0 && down.isEmpty()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("scrape targets not up within " + timeout + ": " + down);
    }

    /** Waits until Prometheus has scraped the gateway's count of every request the load sent. */
    private void awaitScraped(Duration timeout) throws Exception {
        int sent = loadStatuses.values().stream().mapToInt(Integer::intValue).sum();
        long deadline = System.nanoTime() + timeout.toNanos();
        double seen = 0;
        while (System.nanoTime() < deadline) {
            List<PrometheusServer.Sample> r = prometheus.query("sum(switchboard_gateway_requests_total)");
            seen = r.isEmpty() ? 0 : r.get(0).value();
            if (seen >= sent) {
                Thread.sleep(3000); // a few more scrapes of the lagging gauges and rule evaluations
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus saw " + seen + " of " + sent + " requests within " + timeout);
    }

    @Test
    @Order(1)
    void everyDashboardVariableHasValues() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Dashboards.Dashboard d : dashboards) {
            for (JsonNode v : d.variables()) {
                Matcher m = LABEL_VALUES.matcher(v.path("definition").asString());
                if (!m.matches()) {
                    failures.add(d.title() + " $" + v.path("name").asString() + ": not a label_values(...) query");
                    continue;
                }
                checked++;
                List<String> values = prometheus.labelValues(m.group(2), Dashboards.substitute(m.group(1), RATE_INTERVAL, RANGE));
                if (values.isEmpty()) {
                    failures.add(d.title() + " $" + v.path("name").asString() + ": " + v.path("definition").asString()
                            + " has no values");
                }
            }
        }
        System.out.println("[observability] dashboard variables checked: " + checked);
        assertThat(failures).as("dashboard variables without values").isEmpty();
    }

    @Test
    @Order(2)
    void everyPanelExpressionReturnsData() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Dashboards.Target> targets = Dashboards.targets(dashboards);
        Map<String, String> firstValues = firstVariableValues();
        int concrete = 0;
        for (Dashboards.Target t : targets) {
            String all = Dashboards.substitute(t.expr(), RATE_INTERVAL, RANGE);
            check(t + " (all)", all, true, true, failures);
            for (String variable : Dashboards.variablesUsed(t.expr())) {
                String value = firstValues.get(variable);
                if (value != null) {
                    concrete++;
                    // whether this one endpoint or tenant saw, say, P/D traffic depends on routing: the query
                    // must be valid with the variable set; that it returns data is shown by the .* pass
                    check(t + " ($" + variable + "=" + value + ")",
                            Dashboards.substitute(t.expr(), variable, value, RATE_INTERVAL, RANGE), false, false, failures);
                }
            }
        }
        long panels = dashboards.stream().mapToLong(d -> d.panels().size()).sum();
        System.out.printf("[observability] %d dashboards, %d panels, %d expressions checked with all variables = .*, "
                + "%d more with one variable set to a concrete value%n", dashboards.size(), panels, targets.size(), concrete);
        assertThat(failures).as("dashboard expressions that return no data from a Prometheus scraping the suite")
                .isEmpty();
    }

    private void check(String what, String promql, boolean requireFinite, boolean requireData, List<String> failures)
            throws Exception {
        try {
            List<PrometheusServer.Sample> result = prometheus.query(promql);
            if (result.isEmpty() && requireData) {
                failures.add(what + ": no data for " + promql);
            } else if (requireFinite && result.stream().noneMatch(PrometheusServer.Sample::finite)) {
                failures.add(what + ": only NaN/Inf (" + result + ") for " + promql);
            }
        } catch (PrometheusServer.PromQlException e) {
            failures.add(what + ": Prometheus rejected " + promql + ": " + e.getMessage());
        }
    }

    /** The first value of each dashboard variable (sorted), as a user picking one would see it. */
    private Map<String, String> firstVariableValues() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (Dashboards.Dashboard d : dashboards) {
            for (JsonNode v : d.variables()) {
                Matcher m = LABEL_VALUES.matcher(v.path("definition").asString());
                if (m.matches()) {
                    List<String> values = prometheus.labelValues(m.group(2), Dashboards.substitute(m.group(1), RATE_INTERVAL, RANGE));
                    if (!values.isEmpty()) {
                        out.putIfAbsent(v.path("name").asString(), values.stream().sorted().findFirst().orElseThrow());
                    }
                }
            }
        }
        return out;
    }

    @Test
    @Order(3)
    void everyMetricTheDashboardsAndAlertsNameIsScraped() throws Exception {
        Set<String> names = new TreeSet<>();
        Dashboards.targets(dashboards).forEach(t -> names.addAll(Dashboards.metricNames(t.expr())));
        for (Dashboards.Dashboard d : dashboards) {
            d.variables().forEach(v -> names.addAll(Dashboards.metricNames(v.path("definition").asString())));
        }
        names.addAll(AlertRules.metricNames());
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (CREATED_ON_FIRST_EVENT.contains(name)) {
                continue; // checked against the sources and the catalogue in DashboardFilesTest
            }
            if (prometheus.query("count({__name__=\"" + name + "\"})").isEmpty()) {
                missing.add(name);
            }
        }
        System.out.println("[observability] metric names used by dashboards and alerts: " + names.size()
                + " (scraped: " + (names.size() - missing.size() - names.stream().filter(CREATED_ON_FIRST_EVENT::contains).count())
                + ", created on first event: " + names.stream().filter(CREATED_ON_FIRST_EVENT::contains).count() + ")");
        assertThat(missing).as("metrics named by dashboards or alerts that Prometheus never scraped").isEmpty();
    }

    @Test
    @Order(4)
    void everyScrapedSwitchboardMetricIsInTheCatalogue() throws Exception {
        String doc = Repo.read(Repo.METRICS_DOC);
        List<String> undocumented = new ArrayList<>();
        int seen = 0;
        for (JsonNode n : prometheus.api("/api/v1/label/__name__/values")) {
            String name = n.asString();
            if (!name.startsWith("switchboard_")) {
                continue;
            }
            seen++;
            String base = name.replaceAll("_(bucket|count|sum|max)$", "");
            if (!doc.contains("`" + name + "`") && !doc.contains("`" + base + "`")) {
                undocumented.add(name);
            }
        }
        System.out.println("[observability] switchboard_* series names scraped: " + seen);
        assertThat(seen).isPositive();
        assertThat(undocumented).as("switchboard_* metrics served by the suite but missing from docs/metrics.md").isEmpty();
    }

    @Test
    @Order(5)
    void alertRulesLoadAndEvaluateWithoutErrors() throws Exception {
        JsonNode groups = prometheus.api("/api/v1/rules").get("groups");
        List<String> problems = new ArrayList<>();
        int rules = 0;
        for (JsonNode g : groups) {
            for (JsonNode r : g.get("rules")) {
                rules++;
                if (!"ok".equals(r.path("health").asString())) {
                    problems.add(r.path("name").asString() + ": " + r.path("health").asString() + " " + r.path("lastError").asString());
                }
            }
        }
        assertThat(rules).as("rules loaded by Prometheus").isEqualTo(AlertRules.count());
        assertThat(problems).as("alert rules failing to evaluate").isEmpty();
        JsonNode firing = prometheus.api("/api/v1/alerts").get("alerts");
        List<String> active = new ArrayList<>();
        firing.forEach(a -> active.add(a.at("/labels/alertname").asString() + "=" + a.path("state").asString()));
        System.out.println("[observability] alert rules evaluated: " + rules + "; pending/firing under light load: " + active);
        assertThat(active).as("alerts pending or firing while the suite is healthy")
                .noneMatch(a -> a.startsWith("SwitchboardSchedulerDown") || a.startsWith("SwitchboardGatewayDown")
                        || a.startsWith("SwitchboardAdapterDown") || a.startsWith("SwitchboardEngineUnhealthy"));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }
}
