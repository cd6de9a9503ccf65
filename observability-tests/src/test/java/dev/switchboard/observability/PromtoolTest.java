package dev.switchboard.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * promtool on the shipped Prometheus files: the scrape config (with its rule files), the alert
 * rules, and the alert rules' unit tests. Skips itself when promtool is not installed (Debian
 * package prometheus).
 */
class PromtoolTest {
    @BeforeEach
    void needsPromtool() {
        assumeTrue(Repo.onPath("promtool"), "SKIPPED: promtool is not on PATH (Debian: apt-get install prometheus)");
    }

    @Test
    void scrapeConfigIsValid() {
        Repo.Run run = Repo.run(Repo.PROMETHEUS, 60, "promtool", "check", "config", "prometheus.yml");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void alertRulesAreValid() {
        Repo.Run run = Repo.run(Repo.PROMETHEUS, 60, "promtool", "check", "rules", "alerts.yml");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: " + AlertRules.count() + " rules found");
    }

    @Test
    void alertRulesPassTheirUnitTests() {
        Repo.Run run = Repo.run(Repo.PROMETHEUS, 120, "promtool", "test", "rules", "alerts.test.yml");
        assertThat(run.exitCode()).as(run.output()).isZero();
    }
}
