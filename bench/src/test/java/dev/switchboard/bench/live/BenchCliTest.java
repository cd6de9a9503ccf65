package dev.switchboard.bench.live;

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
import dev.switchboard.contract.prompt.Tokenizer;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** Smoke runs of the CLI itself, so that it never rots. */
@Timeout(30)
class BenchCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = BenchCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void liveRunsAGeneratedWorkloadAndWritesJson(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(20, 5, 3, 3))) {
            Path json = dir.resolve("out/live.json");
            int code = run("live", "--url", server.baseUrl(), "--workload", "b2b-saas", "-P", "groups=2", "-P", "prompts-per-group=2",
                    "-P", "rate=100", "-P", "system-tokens=100", "-P", "question-tokens=10", "-P", "output-tokens=3",
                    "--tenants", "2", "--policy", "round-robin", "--json", json.toString(), "--no-progress");

            assertThat(code).as(err.toString()).isZero();
            assertThat(out.toString()).contains("TTFT", "inter-token", "end-to-end", "tenant-0", "tenant-1");
            JsonNode run = BenchReport.mapper().readTree(Files.readString(json)).path("runs").path(0);
            assertThat(run.path("mode").asString()).isEqualTo("live");
            assertThat(run.path("model").asString()).isEqualTo("fake-model");
            assertThat(run.path("policy").asString()).isEqualTo("round-robin");
            assertThat(run.path("requests").asInt()).isEqualTo(4);
            assertThat(run.path("failed").asInt()).isZero();
            assertThat(run.path("output_tokens").asInt()).isEqualTo(12);
            assertThat(run.path("ttft_ms").path("p90").asDouble()).isGreaterThanOrEqualTo(20.0);
            assertThat(run.path("itl_ms").path("p99").isNumber()).isTrue();
            assertThat(run.path("e2e_ms").path("p50").isNumber()).isTrue();
            assertThat(run.path("prefix_hit_predicted").isNull()).isTrue();
            assertThat(run.path("per_tenant").path("tenant-1").path("requests").asInt()).isEqualTo(2);
            assertThat(server.received()).allSatisfy(r -> assertThat(r.body().path("max_tokens").asInt()).isEqualTo(3));
        }
    }

    @Test
    void liveReplaysTheMooncakeSampleWithExactPromptLengths() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.ok(0, 0, 1, 1))) {
            int code = run("live", "--url", server.baseUrl() + "/v1", "--model", "m", "--trace",
                    TraceSamples.path(TraceSamples.MOONCAKE).toString(), "--max-requests", "3", "--no-progress");
            assertThat(code).as(err.toString()).isZero();
            assertThat(server.received()).extracting(r -> Tokenizer.countTokens(
                    r.body().path("messages").path(0).path("content").asString()))
                    .containsExactlyInAnyOrder(6758, 7322, 7236);
            assertThat(server.received()).extracting(r -> r.body().path("max_tokens").asInt())
                    .containsExactlyInAnyOrder(500, 490, 794);
        }
    }

    @Test
    void aRunWhereEverythingFailsExitsWithOne() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(r -> FakeOpenAiServer.Script.status(401))) {
            int code = run("live", "--url", server.baseUrl(), "--model", "m", "--workload", "heavy-tenant", "-P", "duration=200ms",
                    "-P", "rate=20", "--no-progress");
            assertThat(code).isEqualTo(1);
            assertThat(out.toString()).contains("401");
            assertThat(err.toString()).contains("first 401 error: 401");
        }
    }

    @Test
    void invalidOptionsFailWithPreciseMessages() {
        assertThat(run("live", "--url", "ftp://h", "--model", "m", "--workload", "b2b-saas")).isEqualTo(2);
        assertThat(err.toString()).contains("--url must start with http:// or https://, but was 'ftp://h'");

        assertThat(run("live", "--url", "http://h", "--model", "m", "--workload", "b2b-saas", "--speed", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--speed must be a positive number, but was 0.0");

        assertThat(run("live", "--url", "http://h", "--model", "m", "--workload", "b2b-saas", "--trace", "x.jsonl")).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");

        assertThat(run("workload", "--trace", TraceSamples.path(TraceSamples.MOONCAKE).toString(), "-P", "groups=2")).isEqualTo(2);
        assertThat(err.toString()).contains("--param applies to generated workloads (--workload), not to --trace");

        assertThat(run("workload", "--workload", "b2b-saas", "--tenants", "2", "--tenant-assignment", "weighted")).isEqualTo(2);
        assertThat(err.toString()).contains("--tenant-assignment weighted needs --tenant-weights with one weight per tenant");

        assertThat(run("workload", "--workload", "b2b-saas", "--tenants", "2", "--tenant-assignment", "weighted",
                "--tenant-weights", "1,2,3")).isEqualTo(2);
        assertThat(err.toString()).contains("weighted assignment needs one weight per tenant: 2 tenants but 3 weights");

        assertThat(run("live", "--url", "http://h", "--model", "m", "--workload", "b2b-saas", "--duration", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration");

        assertThat(run("workload", "--trace", "/nonexistent/trace.jsonl")).isEqualTo(2);
        assertThat(err.toString()).contains("--trace /nonexistent/trace.jsonl is not a readable file");
    }

    @Test
    void workloadDescribesTheSample() {
        int code = run("workload", "--trace", TraceSamples.path(TraceSamples.MOONCAKE).toString(), "--rate-scale", "2",
                "--window-length", "20s", "--show", "2");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("mooncake_conversation_sample.jsonl", "input tokens:", "tenants: {default=");
    }

    @Test
    void helpListsTheCommandsAndLiveOptions() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("live", "workload");
        assertThat(run("live", "--help")).isZero();
        assertThat(out.toString()).contains("--speed", "--rate-scale", "--json", "--max-requests", "--duration", "--api-key");
    }
}
