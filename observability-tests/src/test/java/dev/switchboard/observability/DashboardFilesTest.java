package dev.switchboard.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The dashboard and provisioning files on their own (no Prometheus needed): well-formed, wired to
 * the provisioned datasource, variables defined, and every metric they or the alert rules name
 * documented in docs/metrics.md and registered by some service.
 */
class DashboardFilesTest {
    private static final Set<String> BUILT_IN_VARIABLES = Set.of("__rate_interval", "__range", "__interval");
    private final List<Dashboards.Dashboard> dashboards = Dashboards.load();

    @Test
    void fourDashboardsWithUniqueUidsInTheSwitchboardFolder() {
        assertThat(dashboards).extracting(Dashboards.Dashboard::title).containsExactlyInAnyOrder(
                "Switchboard / Overview", "Switchboard / Scheduler", "Switchboard / Engines", "Switchboard / Tenants");
        assertThat(new HashSet<>(dashboards.stream().map(Dashboards.Dashboard::uid).toList())).hasSize(dashboards.size());
    }

    @Test
    void panelsAreWellFormedAndUseTheProvisionedDatasource() {
        Map<String, Object> ds = Repo.map(Repo.list(Repo.yaml(
                Repo.ROOT.resolve("dashboard/grafana/provisioning/datasources/prometheus.yml")).get("datasources")).get(0));
        String uid = String.valueOf(ds.get("uid"));
        List<String> problems = new ArrayList<>();
        for (Dashboards.Dashboard d : dashboards) {
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : d.json().get("panels")) {
                if (!ids.add(p.get("id").asInt())) {
                    problems.add(d.title() + ": duplicate panel id " + p.get("id"));
                }
                JsonNode grid = p.get("gridPos");
                if (grid.get("x").asInt() + grid.get("w").asInt() > 24) {
                    problems.add(d.title() + " / " + p.path("title").asString() + ": wider than the grid");
                }
            }
            for (JsonNode p : d.panels()) {
                String where = d.title() + " / " + p.path("title").asString();
                if (p.path("description").asString().isBlank()) {
                    problems.add(where + ": no description");
                }
                if (!uid.equals(p.at("/datasource/uid").asString())) {
                    problems.add(where + ": datasource is not " + uid);
                }
                if (p.path("targets").isEmpty()) {
                    problems.add(where + ": no queries");
                }
                for (JsonNode t : p.path("targets")) {
                    if (t.path("expr").asString().isBlank() || !uid.equals(t.at("/datasource/uid").asString())) {
                        problems.add(where + " [" + t.path("refId").asString() + "]: empty expression or wrong datasource");
                    }
                }
            }
            for (JsonNode v : d.variables()) {
                if (!uid.equals(v.at("/datasource/uid").asString())) {
                    problems.add(d.title() + " $" + v.path("name").asString() + ": datasource is not " + uid);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyVariableAnExpressionUsesIsDefined() {
        List<String> problems = new ArrayList<>();
        for (Dashboards.Dashboard d : dashboards) {
            Set<String> defined = new TreeSet<>(BUILT_IN_VARIABLES);
            d.variables().forEach(v -> defined.add(v.path("name").asString()));
            for (Dashboards.Target t : Dashboards.targets(List.of(d))) {
                for (String used : Dashboards.variablesUsed(t.expr())) {
                    if (!defined.contains(used)) {
                        problems.add(t + ": $" + used + " is not a variable of the dashboard");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyMetricNamedByDashboardsAndAlertsIsDocumented() {
        String doc = Repo.read(Repo.METRICS_DOC);
        Set<String> names = new TreeSet<>();
        Dashboards.targets(dashboards).forEach(t -> names.addAll(Dashboards.metricNames(t.expr())));
        dashboards.forEach(d -> d.variables().forEach(v -> names.addAll(Dashboards.metricNames(v.path("definition").asString()))));
        names.addAll(AlertRules.metricNames());
        names.remove("up");
        List<String> undocumented = names.stream()
                .map(n -> n.replaceAll("_(bucket|count|sum|max)$", ""))
                .filter(n -> !doc.contains("`" + n + "`")).toList();
        assertThat(undocumented).as("metrics used by dashboards or alerts but missing from docs/metrics.md").isEmpty();
    }

    @Test
    void metricsCreatedOnTheirFirstEventAreDocumentedAndRegisteredInTheSources() throws IOException {
        String doc = Repo.read(Repo.METRICS_DOC);
        String sources = mainSources();
        for (String name : DashboardsAgainstPrometheusTest.CREATED_ON_FIRST_EVENT) {
            String base = name.replaceAll("_(total|sum|count|bucket|max)$", "");
            assertThat(doc.contains("`" + name + "`") || doc.contains("`" + base + "`")).as("docs/metrics.md documents " + name).isTrue();
            String dotted = base.replaceFirst("^switchboard_[a-z]+_", "").replace('_', '.');
            assertThat(sources.contains("\"" + base + "\"") || sources.contains("\"" + dotted + "\""))
                    .as(name + " is registered in some service's sources (as \"" + base + "\" or \"" + dotted + "\")").isTrue();
        }
    }

    @Test
    void everySwitchboardMeterNamedInTheSourcesIsDocumented() throws IOException {
        String doc = Repo.read(Repo.METRICS_DOC);
        Set<String> names = new TreeSet<>();
        for (Path file : mainJavaFiles()) {
            String text = Repo.read(file);
            if (!text.contains("io.micrometer")) {
                continue;
            }
            Matcher literal = Pattern.compile("\"(switchboard_[a-z0-9_]+)\"").matcher(text);
            while (literal.find()) {
                names.add(literal.group(1));
            }
            // meters named from a prefix constant, e.g. P = "switchboard.adapter." and P + "scrape.errors"
            Matcher prefix = Pattern.compile("String (\\w+) = \"(switchboard\\.[a-z]+\\.)\";").matcher(text);
            while (prefix.find()) {
                Matcher uses = Pattern.compile("(?:\\b" + prefix.group(1) + "\\s*\\+\\s*|\\(\\s*e\\s*,\\s*)\"([a-z0-9.]+)\"").matcher(text);
                while (uses.find()) {
                    names.add((prefix.group(2) + uses.group(1)).replace('.', '_'));
                }
            }
        }
        assertThat(names).as("meter names found in the sources").isNotEmpty();
        List<String> undocumented = names.stream().filter(n -> !doc.contains("`" + n)).toList();
        assertThat(undocumented).as("meters registered in the sources but missing from docs/metrics.md").isEmpty();
    }

    private static List<Path> mainJavaFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(Repo.ROOT)) {
            for (Path module : modules.filter(Files::isDirectory).toList()) {
                Path main = module.resolve("src/main/java");
                if (Files.isDirectory(main)) {
                    try (Stream<Path> files = Files.walk(main)) {
                        files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
                    }
                }
            }
        }
        return out;
    }

    private static String mainSources() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path f : mainJavaFiles()) {
            sb.append(Repo.read(f)).append('\n');
        }
        return sb.toString();
    }
}
