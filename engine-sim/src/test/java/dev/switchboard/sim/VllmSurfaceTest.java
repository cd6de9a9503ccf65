package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.prompt.Tokenizer;
import tools.jackson.databind.JsonNode;

/**
 * The vLLM surface over real HTTP, with EngineCore behind it: SSE framing, usage with the core's cached
 * tokens, client disconnect aborting in the core, /tokenize, /reset_prefix_cache. Runs 20x faster than real time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VllmSurfaceTest {
    private SimFixture sim;

    @BeforeAll
    void start() {
        // long natural answers, so a client can hang up in the middle of one
        sim = SimFixture.start(20, SimFixture.engine("v", EngineKind.VLLM, EngineRole.UNIFIED,
                e -> e.withOutput("1000-2000", 32768)));
    }

    @AfterAll
    void stop() {
        sim.close();
    }

    @Test
    void streamedChatIsFramedLikeVllmAndEndsWithUsageAndDone() throws Exception {
        HttpResponse<String> r = sim.post(sim.url(0, "/v1/chat/completions"),
                SimFixture.chat("Explain prefill and decode.", 6, true, null));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(c -> assertThat(c).startsWith("text/event-stream"));
        List<JsonNode> frames = SimFixture.sseFrames(r.body());
        // role chunk, 6 token chunks, usage chunk
        assertThat(frames).hasSize(8);
        assertThat(frames.get(0).at("/choices/0/delta/role").asString()).isEqualTo("assistant");
        for (int i = 1; i <= 6; i++) {
            JsonNode f = frames.get(i);
            assertThat(f.get("object").asString()).isEqualTo("chat.completion.chunk");
            assertThat(f.get("id").asString()).isEqualTo(frames.get(0).get("id").asString()).startsWith("chatcmpl-");
            assertThat(f.at("/choices/0/delta/content").asString()).hasSize(4);
            assertThat(f.at("/choices/0/finish_reason").isNull()).isEqualTo(i < 6);
        }
        assertThat(frames.get(6).at("/choices/0/finish_reason").asString()).isIn("length", "stop");
        JsonNode usage = frames.get(7).get("usage");
        assertThat(frames.get(7).get("choices")).isEmpty();
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(6);
        assertThat(usage.get("prompt_tokens").asInt()).isPositive();
        assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt()).isZero();
    }

    @Test
    void tokenChunksAreExactlyWhatAMapWouldSerialiseTo() throws Exception {
        HttpResponse<String> r = sim.post(sim.url(0, "/v1/completions"),
                "{\"model\":\"llama-3-8b\",\"prompt\":\"chunk layout check\",\"max_tokens\":2,\"stream\":true}");
        List<JsonNode> frames = SimFixture.sseFrames(r.body());
        assertThat(frames).hasSize(2);
        JsonNode last = frames.get(1);
        assertThat(last.get("object").asString()).isEqualTo("text_completion");
        assertThat(last.get("model").asString()).isEqualTo("llama-3-8b");
        assertThat(last.at("/choices/0/index").asInt()).isZero();
        assertThat(last.at("/choices/0/text").asString()).hasSize(4);
        assertThat(last.at("/choices/0/logprobs").isNull()).isTrue();
        assertThat(last.at("/choices/0/finish_reason").asString()).isEqualTo("length");
        assertThat(last.at("/choices/0").has("stop_reason")).isTrue();
        assertThat(frames.get(0).at("/choices/0").has("stop_reason")).isFalse();
    }

    @Test
    void aRepeatedPromptReportsItsFullBlocksAsCachedTokens() throws Exception {
        String prompt = "You are a terse assistant. ".repeat(20) + "Question " + System.nanoTime();
        String body = "{\"model\":\"llama-3-8b\",\"max_tokens\":2,\"prompt\":" + SimFixture.JSON.writeValueAsString(prompt) + "}";
        JsonNode first = SimFixture.json(sim.post(sim.url(0, "/v1/completions"), body));
        JsonNode second = SimFixture.json(sim.post(sim.url(0, "/v1/completions"), body));
        int promptTokens = Tokenizer.countTokens(prompt);
        assertThat(first.at("/usage/prompt_tokens").asInt()).isEqualTo(promptTokens);
        assertThat(first.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        // every full 16-token block but the one holding the last prompt token
        assertThat(second.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                .isEqualTo((promptTokens - 1) / 16 * 16).isPositive();
        // the same prompt gets the same answer
        assertThat(second.at("/choices/0/text").asString()).isEqualTo(first.at("/choices/0/text").asString());
        // another cache_salt does not share the cache
        String salted = body.substring(0, body.length() - 1) + ",\"cache_salt\":\"other-tenant\"}";
        JsonNode third = SimFixture.json(sim.post(sim.url(0, "/v1/completions"), salted));
        assertThat(third.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
    }

    @Test
    void aClientThatDisconnectsIsAbortedInTheCore() throws Exception {
        long abortsBefore = sim.engine(0).driver().stats().finishedAbort();
        // >= 1000 tokens at 7.5 ms each = 7.5 s simulated, 0.4 s at 20x: long enough to hang up in the middle
        HttpResponse<Stream<String>> r = sim.postLines(sim.url(0, "/v1/chat/completions"),
                SimFixture.chat("a long answer please " + System.nanoTime(), 2000, true, null));
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            int data = 0;
            while (data < 5 && it.hasNext()) {
                if (it.next().startsWith("data: ")) {
                    data++;
                }
            }
            assertThat(data).isEqualTo(5);
        }
        SimFixture.await(Duration.ofSeconds(10), "the abort to reach the core",
                () -> sim.engine(0).driver().stats().finishedAbort() == abortsBefore + 1);
        assertThat(sim.engine(0).driver().stats().running()).isZero();
    }

    @Test
    void tokenizeCountsWithTheSharedTokenizer() throws Exception {
        JsonNode r = SimFixture.json(sim.post(sim.url(0, "/tokenize"),
                "{\"model\":\"llama-3-8b\",\"prompt\":\"abcdefghij\"}"));
        assertThat(r.get("count").asInt()).isEqualTo(3);
        assertThat(r.get("tokens")).hasSize(3);
        assertThat(r.get("max_model_len").asInt()).isEqualTo(32768);
        JsonNode again = SimFixture.json(sim.post(sim.url(0, "/tokenize"), "{\"prompt\":\"abcdefghij\"}"));
        assertThat(again.get("tokens")).isEqualTo(r.get("tokens"));
    }

    @Test
    void resetPrefixCacheForgetsCachedPrompts() throws Exception {
        String body = "{\"model\":\"llama-3-8b\",\"max_tokens\":1,\"prompt\":"
                + SimFixture.JSON.writeValueAsString("reset me ".repeat(40) + System.nanoTime()) + "}";
        sim.post(sim.url(0, "/v1/completions"), body);
        SimFixture.await(Duration.ofSeconds(5), "idle", () -> sim.engine(0).driver().stats().running() == 0);
        assertThat(sim.post(sim.url(0, "/reset_prefix_cache"), "").statusCode()).isEqualTo(200);
        JsonNode after = SimFixture.json(sim.post(sim.url(0, "/v1/completions"), body));
        assertThat(after.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
    }

    @Test
    void modelsHealthAndVersion() throws Exception {
        JsonNode models = SimFixture.json(sim.get(sim.url(0, "/v1/models")));
        assertThat(models.at("/data/0/id").asString()).isEqualTo("llama-3-8b");
        assertThat(models.at("/data/0/owned_by").asString()).isEqualTo("vllm");
        assertThat(sim.get(sim.url(0, "/health")).statusCode()).isEqualTo(200);
        assertThat(SimFixture.json(sim.get(sim.url(0, "/version"))).get("version").asString()).isNotBlank();
    }

    @Test
    void theRequestIdHeaderNamesTheResponse() throws Exception {
        HttpResponse<String> r = sim.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                sim.url(0, "/v1/chat/completions"))).header("Content-Type", "application/json")
                .header("X-Request-Id", "req-123")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(SimFixture.chat("hi", 1, false, null))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(SimFixture.json(r).get("id").asString()).isEqualTo("chatcmpl-req-123");
    }
}
