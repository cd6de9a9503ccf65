package dev.switchboard.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StreamObserverTest {
    private static final String CHAT = """
            data: {"id":"1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

            data: {"id":"1","choices":[{"index":0,"delta":{"content":"Hel"}}]}

            data: {"id":"1","choices":[{"index":0,"delta":{"content":"lo"}}]}

            data: {"id":"1","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}]}

            data: {"id":"1","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":3,"total_tokens":123,"prompt_tokens_details":{"cached_tokens":64}}}

            data: [DONE]

            """;
    private static final String COMPLETION_CRLF = "data: {\"choices\":[{\"text\":\"a\"}]}\r\n\r\n"
            + "data: {\"choices\":[{\"text\":\"b\"}]}\r\n\r\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"prompt_tokens_details\":null}}\r\n\r\n"
            + "data: [DONE]\r\n\r\n";
    private static final String ERROR_AFTER_CONTENT = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n"
            + "data: {\"error\":{\"message\":\"engine died\",\"type\":\"server_error\"}}\n\n";

    record Expected(int chunks, int prompt, int completion, int cached, boolean error) {
    }

    static Stream<Arguments> streams() {
        return Stream.of(
                Arguments.of("chat with usage and cached tokens", CHAT, new Expected(3, 120, 3, 64, false)),
                Arguments.of("completions with CRLF and null details", COMPLETION_CRLF, new Expected(2, 7, 2, 0, false)),
                Arguments.of("error frame after content", ERROR_AFTER_CONTENT, new Expected(1, -1, -1, -1, true)),
                Arguments.of("comments and non-data fields only", ": ping\n\nevent: x\nid: 3\n\n", new Expected(0, -1, -1, -1, false)),
                Arguments.of("a final line without newline is not a frame", "data: {\"choices\":[{\"text\":\"a\"}]}",
                        new Expected(0, -1, -1, -1, false)),
                Arguments.of("an event counts once its blank line arrives", "data: {\"choices\":[{\"text\":\"a\"}]}\n",
                        new Expected(0, -1, -1, -1, false)),
                Arguments.of("CR line ends and a named event", "event: chunk\rdata: {\"choices\":[{\"text\":\"a\"}]}\r\r"
                        + "data: {\"choices\":[],\r: keep-alive\rdata: \"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1}}\r\r",
                        new Expected(1, 4, 1, 0, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streams")
    void readsTheStreamWhateverTheChunkBoundaries(String name, String sse, Expected expected) {
        byte[] bytes = sse.getBytes(StandardCharsets.UTF_8);
        Random random = new Random(name.hashCode());
        for (int trial = 0; trial < 200; trial++) {
            List<Long> tokens = new ArrayList<>();
            StreamObserver observer = new StreamObserver(true, 0, (nanos, gap) -> tokens.add(gap));
            // the network cuts the stream anywhere: inside a line, inside a key, between CR and LF
            int at = 0;
            long now = 1;
            while (at < bytes.length) {
                int n = trial == 0 ? bytes.length : 1 + random.nextInt(Math.min(40, bytes.length - at));
                byte[] chunk = new byte[n + 6];
                System.arraycopy(bytes, at, chunk, 3, n);
                observer.onBytes(ByteBuffer.wrap(chunk, 3, n), now++);
                at += n;
            }
            observer.onComplete();

            assertThat(observer.contentChunks()).as("content chunks, trial %d", trial).isEqualTo(expected.chunks());
            assertThat(tokens).hasSize(expected.chunks());
            if (!tokens.isEmpty()) {
                assertThat(tokens.get(0)).isEqualTo(-1L);
                assertThat(tokens.subList(1, tokens.size())).allSatisfy(gap -> assertThat(gap).isNotNegative());
            }
            assertThat(observer.promptTokens()).isEqualTo(expected.prompt());
            assertThat(observer.completionTokens()).isEqualTo(expected.completion());
            assertThat(observer.cachedTokens()).isEqualTo(expected.cached());
            assertThat(observer.sawError()).isEqualTo(expected.error());
            assertThat(observer.started()).isEqualTo(expected.chunks() > 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streams")
    void survivesArbitraryBytes(String name, String sse, Expected ignored) {
        Random random = new Random(name.hashCode() * 31L);
        for (int trial = 0; trial < 300; trial++) {
            byte[] bytes = sse.getBytes(StandardCharsets.UTF_8);
            for (int flips = 0; flips < 1 + random.nextInt(8); flips++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            StreamObserver observer = new StreamObserver(true, 0, (nanos, gap) -> { });
            observer.onBytes(ByteBuffer.wrap(bytes), 1);
            observer.onComplete();
            assertThat(observer.contentChunks()).isBetween(0, 10);
        }
    }

    @Test
    void readsUsageOfAPlainJsonAnswer() {
        byte[] body = "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}"
                .getBytes(StandardCharsets.UTF_8);
        StreamObserver observer = new StreamObserver(false, 0, (nanos, gap) -> { });
        observer.onBytes(ByteBuffer.wrap(body, 0, 10), 7);
        observer.onBytes(ByteBuffer.wrap(body, 10, body.length - 10), 9);
        observer.onComplete();
        assertThat(observer.started()).isTrue();
        assertThat(observer.ttftMillis()).isZero();
        assertThat(observer.promptTokens()).isEqualTo(5);
        assertThat(observer.completionTokens()).isEqualTo(1);
        assertThat(observer.cachedTokens()).isZero();
    }
}
