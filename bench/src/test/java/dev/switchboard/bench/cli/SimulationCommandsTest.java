package dev.switchboard.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.switchboard.bench.BenchCli;
import dev.switchboard.bench.report.BenchReport;
import dev.switchboard.bench.workload.TraceSamples;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** Smoke runs of {@code des} and {@code capacity} (seconds, not minutes), so the CLI never rots. */
@Timeout(120)
class SimulationCommandsTest {
    private static final String[] SMALL_B2B = {"--workload", "b2b-saas", "-P", "groups=3", "-P", "prompts-per-group=4",
        "-P", "system-tokens=1000", "-P", "question-tokens=50", "-P", "output-tokens=10", "-P", "rate=4"};

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = BenchCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void desComparesPoliciesAndWritesJsonChartsAndMarkdown(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("des.json");
        Path md = dir.resolve("docs/des.md");
        int code = run(concat(new String[] {"des"}, concat(SMALL_B2B, "--cluster", "2xH100", "--policies",
                "default,round-robin", "--tenants", "2", "--rate-scales", "1,2", "--json", json.toString(), "--charts",
                dir.resolve("docs/charts").toString(), "--markdown", md.toString(), "--no-progress")));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("switchboard-default", "round-robin", "prefix cache hits reported by engines",
                "simulation: 2 engines");
        JsonNode root = BenchReport.mapper().readTree(Files.readString(json));
        assertThat(root.path("runs")).hasSize(4);
        JsonNode run = root.path("runs").path(0);
        assertThat(run.path("mode").asString()).isEqualTo("des");
        assertThat(run.path("target").asString()).isEqualTo("2xH100");
        assertThat(run.path("policy").asString()).isEqualTo("switchboard-default");
        assertThat(run.path("admission").asString()).isEqualTo("fair");
        assertThat(run.path("rate_scale").asDouble()).isEqualTo(1.0);
        assertThat(run.path("requests").asInt()).isEqualTo(12);
        assertThat(run.path("failed").asInt()).isZero();
        for (String latency : new String[] {"ttft_ms", "itl_ms", "e2e_ms"}) {
            for (String p : new String[] {"p50", "p90", "p99"}) {
                assertThat(run.path(latency).path(p).isNumber()).as(latency + "." + p).isTrue();
            }
        }
        assertThat(run.path("ttft_ms").path("p50").asDouble()).isPositive();
        assertThat(run.path("output_tokens_per_s").asDouble()).isPositive();
        assertThat(run.path("goodput_rps").asDouble()).isPositive();
        assertThat(run.path("prefix_hit_predicted").asDouble()).isBetween(0.0, 1.0);
        assertThat(run.path("prefix_hit_actual").asDouble()).isBetween(0.0, 1.0);
        // 12 requests on two engines: nobody waits, so no tenant is backlogged and there is nothing to compare
        assertThat(run.path("fairness_index").isNull()).isTrue();
        assertThat(run.path("per_tenant").path("tenant-1").path("ttft_ms").path("p90").isNumber()).isTrue();
        assertThat(run.path("simulation").path("engines").asInt()).isEqualTo(2);
        assertThat(run.path("send_lag_ms").isNull()).isTrue();
        assertThat(root.path("runs").path(3).path("rate_scale").asDouble()).isEqualTo(2.0);
        assertThat(root.path("capacity").isNull()).isTrue();

        assertThat(dir.resolve("docs/charts/ttft-p90-vs-load.png")).exists();
        assertThat(dir.resolve("docs/charts/ttft-cdf.png")).exists();
        String markdown = Files.readString(md);
        assertThat(markdown).contains("java -jar bench/target/bench.jar des --workload b2b-saas", "| switchboard-default | 2 |",
                "![ttft-cdf](charts/ttft-cdf.png)");
        // the JSON reads back into the same report
        assertThat(BenchReport.read(json).runs()).hasSize(4);
    }

    @Test
    void desReplaysTheMooncakeSampleOnADisaggregatedCluster() {
        int code = run("des", "--trace", TraceSamples.path(TraceSamples.MOONCAKE).toString(), "--max-requests", "30",
                "--cluster", "2xH100:prefill,2xH100:decode", "--kv-events", "--no-progress");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("\\d+ unified \\+ [1-9]\\d* disaggregated decisions").contains("KV events on");
    }

    @Test
    void capacityBisectsPerPolicyAndReportsTheBracket(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("capacity.json");
        int code = run(concat(new String[] {"capacity"}, concat(SMALL_B2B, "--cluster", "1xH100", "--policies",
                "default,round-robin", "--slo-ttft", "150ms", "--max-probes", "4", "--json", json.toString(), "--charts",
                dir.toString(), "--no-progress")));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("capacity at SLO", "bracket");
        JsonNode root = BenchReport.mapper().readTree(Files.readString(json));
        assertThat(root.path("capacity").path("switchboard-default").isNumber()).isTrue();
        assertThat(root.path("capacity").path("round-robin").isNumber()).isTrue();
        JsonNode search = root.path("capacity_search").path("round-robin");
        assertThat(search.path("probes").size()).isBetween(2, 4);
        assertThat(search.path("capacity").asDouble()).isEqualTo(root.path("capacity").path("round-robin").asDouble());
        assertThat(root.path("runs").size()).isEqualTo(root.path("capacity_search").path("switchboard-default").path("probes").size()
                + search.path("probes").size());
        assertThat(dir.resolve("capacity.png")).exists();
    }

    @Test
    void invalidSimulationOptionsFailWithPreciseMessages() {
        assertThat(run(concat(new String[] {"des"}, concat(SMALL_B2B, "--cluster", "8xB200")))).isEqualTo(2);
        assertThat(err.toString()).contains("--cluster: cluster group '8xB200': unknown GPU 'B200'; known: H100, A100");

        assertThat(run(concat(new String[] {"des"}, concat(SMALL_B2B, "--policy", "fastest")))).isEqualTo(2);
        assertThat(err.toString()).contains("--policy: policy 'fastest': no built-in policy preset 'fastest'");

        assertThat(run(concat(new String[] {"des"}, concat(SMALL_B2B, "--rate-scale", "2", "--rate-scales", "1,3")))).isEqualTo(2);
        assertThat(err.toString()).contains("give either --rate-scale or --rate-scales, not both");

        assertThat(run(concat(new String[] {"des"}, concat(SMALL_B2B, "--model", "qwen2.5-7b")))).isEqualTo(2);
        assertThat(err.toString()).contains("--model qwen2.5-7b is served by no engine of --cluster 8xH100:llama-3-8b:unified");

        assertThat(run(concat(new String[] {"capacity"}, concat(SMALL_B2B, "--max-probes", "1")))).isEqualTo(2);
        assertThat(err.toString()).contains("--max-probes must be >= 2, but was 1");

        assertThat(run(concat(new String[] {"des"}, concat(SMALL_B2B, "--admission", "lifo")))).isEqualTo(2);
        assertThat(err.toString()).contains("--admission must be fair, fifo or none, but was 'lifo'");

        assertThat(run(concat(new String[] {"des"}, concat(SMALL_B2B, "--admission", "none", "--tenants-config", "t.yaml"))))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--tenants-config applies to --admission fair, not none");

        assertThat(run(concat(new String[] {"des"}, concat(SMALL_B2B, "--policies", "default,switchboard-default")))).isEqualTo(2);
        assertThat(err.toString()).contains("policy 'switchboard-default' is given twice");
    }

    @Test
    void aPolicyFileIsValidatedByTheSchedulersLoader(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: bad\nplugins:\n  - { type: no-such-plugin }\nprofiles:\n  - { name: default, plugins: [] }\n");
        assertThat(run(concat(new String[] {"des"}, concat(SMALL_B2B, "--policy", bad.toString())))).isEqualTo(2);
        assertThat(err.toString()).contains("plugin type 'no-such-plugin' is not registered");
    }

    @Test
    void helpListsTheNewCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("des", "capacity", "overhead", "live", "workload");
        assertThat(run("des", "--help")).isZero();
        assertThat(out.toString()).contains("--cluster", "--policy", "--rate-scales", "--kv-events", "--charts", "--markdown");
    }
}
