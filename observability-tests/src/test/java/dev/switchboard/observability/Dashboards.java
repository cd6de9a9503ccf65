package dev.switchboard.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The provisioned Grafana dashboards: their panels, PromQL targets and template variables. */
final class Dashboards {
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** A metric selector in PromQL: a name directly followed by a label matcher block. */
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([a-zA-Z_][a-zA-Z0-9_]*)\\}?");

    /** One dashboard file. */
    record Dashboard(Path file, JsonNode json) {
        String uid() {
            return json.get("uid").asString();
        }

        String title() {
            return json.get("title").asString();
        }

        /** Every non-row panel, including panels nested in collapsed rows. */
        List<JsonNode> panels() {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode p : json.get("panels")) {
                if ("row".equals(p.path("type").asString())) {
                    p.path("panels").forEach(out::add);
                } else {
                    out.add(p);
                }
            }
            return out;
        }

        List<JsonNode> variables() {
            List<JsonNode> out = new ArrayList<>();
            json.path("templating").path("list").forEach(out::add);
            return out;
        }
    }

    /** One PromQL expression of one panel. */
    record Target(Dashboard dashboard, String panel, String refId, String expr) {
        @Override
        public String toString() {
            return dashboard.title() + " / " + panel + " [" + refId + "]";
        }
    }

    private Dashboards() {
    }

    static List<Dashboard> load() {
        try (Stream<Path> files = Files.list(Repo.DASHBOARDS)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted()
                    .map(f -> new Dashboard(f, JSON.readTree(Repo.read(f)))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Target> targets(List<Dashboard> dashboards) {
        List<Target> out = new ArrayList<>();
        for (Dashboard d : dashboards) {
            for (JsonNode panel : d.panels()) {
                for (JsonNode t : panel.path("targets")) {
                    out.add(new Target(d, panel.path("title").asString(), t.path("refId").asString(), t.path("expr").asString()));
                }
            }
        }
        return out;
    }

    /** Metric names selected by a PromQL expression (every selector is written with braces). */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Template variables used by an expression ($x or ${x}), Grafana's built-ins ($__...) included. */
    static Set<String> variablesUsed(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = VARIABLE.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * The expression as Grafana would send it with every variable set to "All" (regex {@code .*}) and
     * the built-in intervals set to {@code rateInterval} and {@code range}.
     */
    static String substitute(String expr, String rateInterval, String range) {
        return expr.replace("$__rate_interval", rateInterval)
                .replace("$__range", range)
                .replaceAll("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*\\}?", ".*");
    }

    /** The same with one variable set to a concrete value and all others to "All". */
    static String substitute(String expr, String variable, String value, String rateInterval, String range) {
        String one = expr.replace("${" + variable + "}", value).replaceAll("\\$" + variable + "\\b", java.util.regex.Matcher.quoteReplacement(value));
        return substitute(one, rateInterval, range);
    }
}
