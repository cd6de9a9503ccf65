package dev.switchboard.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.contract.prompt.ChatMessage;
import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.prompt.PromptText;
import dev.switchboard.contract.prompt.Tokenizer;

class OpenAiRequestParserTest {
    private final OpenAiRequestParser parser = new OpenAiRequestParser(16);

    private RoutingRequest chat(String json) {
        return parser.parse("id", json.getBytes(StandardCharsets.UTF_8), true);
    }

    private RoutingRequest completion(String json) {
        return parser.parse("id", json.getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void readsRoutingFieldsOfAChatRequest() {
        String system = "You are a support agent for ACME. ".repeat(20);
        RoutingRequest r = chat("""
                {"model":"llama-3-8b","stream":true,"max_completion_tokens":64,"max_tokens":9,"priority":2,
                 "user":"u-42","cache_salt":"tenant-a","temperature":0.2,"tools":[{"type":"function","function":{"name":"f"}}],
                 "messages":[{"role":"system","content":"%s"},
                             {"role":"user","content":[{"type":"text","text":"Hello "},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"there"}]}]}
                """.formatted(system));
        String canonical = PromptText.ofChat(List.of(new ChatMessage("system", system), new ChatMessage("user", "Hello there")));
        assertThat(r.model()).isEqualTo("llama-3-8b");
        assertThat(r.stream()).isTrue();
        assertThat(r.maxTokens()).as("max_completion_tokens wins on chat").isEqualTo(64);
        assertThat(r.priority()).isEqualTo(2);
        assertThat(r.sessionId()).isEqualTo("u-42");
        assertThat(r.promptTokens()).isEqualTo(Tokenizer.countTokens(canonical));
        assertThat(r.blockHashes()).containsExactly(PromptBlocks.hash("llama-3-8b", "tenant-a", canonical, 16));
    }

    @Test
    void readsACompletionPromptInAnyFieldOrder() {
        RoutingRequest r = completion("{\"prompt\":\"Once upon a time\",\"max_tokens\":5,\"model\":\"m\"}");
        assertThat(r.model()).isEqualTo("m");
        assertThat(r.maxTokens()).isEqualTo(5);
        assertThat(r.stream()).isFalse();
        assertThat(r.promptTokens()).isEqualTo(4);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("malformed JSON", true, "{\"model\": \"m\", \"messages\": [", null, "could not parse the JSON body"),
                Arguments.of("not an object", true, "[1,2]", null, "must be a JSON object"),
                Arguments.of("empty body", true, "", null, "could not parse"),
                Arguments.of("trailing garbage", true, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} {}",
                        null, "Unexpected content"),
                Arguments.of("missing model", true, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model",
                        "must provide a model"),
                Arguments.of("model not a string", true, "{\"model\":7,\"messages\":[]}", "model", "must be a string"),
                Arguments.of("missing messages", true, "{\"model\":\"m\"}", "messages", "'messages' is required"),
                Arguments.of("empty messages", true, "{\"model\":\"m\",\"messages\":[]}", "messages", "'messages' is required"),
                Arguments.of("message without role", true, "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", "messages",
                        "must have a 'role'"),
                Arguments.of("content of wrong type", true, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
                        "messages", "string or an array"),
                Arguments.of("max_tokens not an integer", true,
                        "{\"model\":\"m\",\"max_tokens\":\"many\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens",
                        "must be an integer"),
                Arguments.of("max_tokens zero", true,
                        "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens",
                        "at least 1"),
                Arguments.of("max_tokens too large for int", true,
                        "{\"model\":\"m\",\"max_tokens\":99999999999,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                        "max_tokens", "must be an integer"),
                Arguments.of("stream not a boolean", true,
                        "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream",
                        "must be a boolean"),
                Arguments.of("missing prompt", false, "{\"model\":\"m\"}", "prompt", "'prompt' is required"),
                Arguments.of("prompt of wrong type", false, "{\"model\":\"m\",\"prompt\":{}}", "prompt", "must be a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsInvalidRequestsWithA400NamingTheField(String name, boolean isChat, String body, String param, String message) {
        assertThatThrownBy(() -> parser.parse("id", body.getBytes(StandardCharsets.UTF_8), isChat))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.error().param()).isEqualTo(param);
                    assertThat(e.error().message()).contains(message);
                });
    }

    /**
     * Fuzz: random byte edits of valid requests either parse or fail with a clean 400, never with any
     * other exception (which would become a 500 for the client).
     */
    @Test
    void mutatedBodiesNeverFailWithAnythingButA400() {
        List<String> seeds = List.of(
                "{\"model\":\"llama-3-8b\",\"stream\":true,\"max_tokens\":32,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}",
                "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"],\"priority\":1,\"user\":\"u\",\"cache_salt\":\"s\"}",
                "{\"model\":\"m\",\"prompt\":[1,2,3],\"stream_options\":{\"include_usage\":true}}");
        Random random = new Random(20261121);
        byte[] alphabet = "{}[]\",:0123456789truefalsenull \\u00e9x".getBytes(StandardCharsets.UTF_8);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] body = seeds.get(random.nextInt(seeds.size())).getBytes(StandardCharsets.UTF_8);
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(body.length);
                switch (random.nextInt(3)) {
                    case 0 -> body[at] = alphabet[random.nextInt(alphabet.length)];
                    case 1 -> body = java.util.Arrays.copyOf(body, Math.max(1, at));
                    default -> body[at] = (byte) random.nextInt(256);
                }
            }
            boolean chat = random.nextBoolean();
            try {
                RoutingRequest r = parser.parse("id", body, chat);
                assertThat(r.model()).isNotBlank();
                parsed++;
            } catch (InvalidRequestException expected) {
                assertThat(expected.httpStatus()).isEqualTo(400);
            }
        }
        assertThat(parsed).as("some mutations stay valid").isPositive();
    }
}
