package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import tools.jackson.databind.json.JsonMapper;

class GenerationRequestTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final SimulatedEngine engine = new SimulatedEngine(new SimProperties.Engine("e", 8001, EngineKind.VLLM,
            EngineRole.UNIFIED, "llama-3-8b", 64, Duration.ZERO, "10-20"));

    private static GenerationRequest parse(String body, boolean chat) {
        return GenerationRequest.parse(JSON, body.getBytes(StandardCharsets.UTF_8), chat);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"model\":", true, 400, null),
                Arguments.of("no model", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", true, 400, "model"),
                Arguments.of("no messages", "{\"model\":\"llama-3-8b\"}", true, 400, "messages"),
                Arguments.of("max_tokens zero", "{\"model\":\"llama-3-8b\",\"max_tokens\":0,\"prompt\":\"x\"}", false, 400,
                        "max_tokens"),
                Arguments.of("stream_options without stream",
                        "{\"model\":\"llama-3-8b\",\"prompt\":\"x\",\"stream_options\":{\"include_usage\":true}}", false, 400,
                        "stream_options"),
                Arguments.of("unknown model", "{\"model\":\"other\",\"prompt\":\"x\"}", false, 404, "model"),
                Arguments.of("prompt plus output over max-model-len",
                        "{\"model\":\"llama-3-8b\",\"max_tokens\":40,\"prompt\":\"" + "word".repeat(30) + "\"}", false, 400,
                        "prompt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesLikeVllm(String name, String body, boolean chat, int status, String param) {
        assertThatThrownBy(() -> engine.plan(parse(body, chat)))
                .isInstanceOfSatisfying(EngineApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.param()).isEqualTo(param);
                });
    }

    @Test
    void contextOverflowMessageNamesTheLimitAndTheCounts() {
        assertThatThrownBy(() -> engine.plan(parse("{\"model\":\"llama-3-8b\",\"max_tokens\":40,\"prompt\":\""
                + "word".repeat(30) + "\"}", false)))
                .hasMessage("This model's maximum context length is 64 tokens. However, you requested 40 output tokens and "
                        + "your prompt contains at least 30 input tokens, for a total of at least 70 tokens.");
    }

    @Test
    void answerLengthIsCappedByMaxTokensAndIsDeterministicPerPrompt() {
        GenerationRequest capped = parse("{\"model\":\"llama-3-8b\",\"max_tokens\":3,\"prompt\":\"abc\"}", false);
        SimulatedEngine.Generation g = engine.plan(capped);
        assertThat(g.completionTokens()).isEqualTo(3);
        assertThat(g.finishReason()).isEqualTo("length");

        GenerationRequest free = parse("{\"model\":\"llama-3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true);
        SimulatedEngine.Generation first = engine.plan(free);
        SimulatedEngine.Generation second = engine.plan(free);
        assertThat(first.completionTokens()).isBetween(10, 20).isEqualTo(second.completionTokens());
        assertThat(first.finishReason()).isEqualTo("stop");
        assertThat(engine.generate(first).collectList().block()).isEqualTo(engine.generate(second).collectList().block());
    }

    @Test
    void includeUsageOnlyWithStreaming() {
        GenerationRequest r = parse("{\"model\":\"llama-3-8b\",\"prompt\":\"x\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}", false);
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
    }
}
