package dev.switchboard.observability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The alert rules of dashboard/prometheus/alerts.yml. */
final class AlertRules {
    /** One rule: its alert name and expression. */
    record Rule(String alert, String expr) {
    }

    private AlertRules() {
    }

    static List<Rule> rules() {
        List<Rule> out = new ArrayList<>();
        for (Object g : Repo.list(Repo.yaml(Repo.PROMETHEUS.resolve("alerts.yml")).get("groups"))) {
            for (Object r : Repo.list(Repo.map(g).get("rules"))) {
                Map<String, Object> rule = Repo.map(r);
                out.add(new Rule(String.valueOf(rule.get("alert")), String.valueOf(rule.get("expr"))));
            }
        }
        return out;
    }

    static int count() {
        return rules().size();
    }

    static Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        rules().forEach(r -> names.addAll(Dashboards.metricNames(r.expr())));
        return names;
    }
}
