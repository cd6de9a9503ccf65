package dev.switchboard.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.switchboard.bench.report.RequestResult;
import tools.jackson.databind.json.JsonMapper;

class StreamObserverTest {
    private static final String CONTENT = "data: {\"choices\":[{\"delta\":{\"content\":\"%s\"}}]}\n\n";

    /** Delivers {@code wire} as the HTTP client does: in buffers as they arrive, here cut every {@code cut} bytes. */
    private static RequestResult read(String wire, int cut) {
        StreamObserver observer = new StreamObserver(JsonMapper.builder().build(), System.nanoTime());
        byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
        for (int from = 0; from < bytes.length; from += cut) {
            observer.onBytes(ByteBuffer.wrap(bytes, from, Math.min(cut, bytes.length - from)).asReadOnlyBuffer());
        }
        observer.onComplete();
        return observer.result("t", 0, null);
    }

    @Test
    void readsContentUsageAndDoneWhereverTheBuffersAreCut() {
        String wire = ": keep-alive\n\n" + "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
                + CONTENT.formatted("Hel") + CONTENT.formatted("lo").replace("\n", "\r\n")
                + "data: {\"choices\":[],\ndata: \"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}\n\n" + "data: [DONE]\n\n";
        for (int cut = 1; cut <= wire.length(); cut += 7) {
            RequestResult result = read(wire, cut);
            assertThat(result.ok()).as("cut %d", cut).isTrue();
            assertThat(result.contentChunks()).isEqualTo(2);
            assertThat(result.gapsNanos()).hasSize(1);
            assertThat(result.usageReported()).isTrue();
            assertThat(result.outputTokens()).isEqualTo(2);
            assertThat(result.promptTokens()).isEqualTo(9);
            assertThat(result.cachedTokens()).isEqualTo(4);
        }
    }

    @Test
    void aDoneWithoutItsFinalBlankLineStillCompletesTheStream() {
        RequestResult result = read(CONTENT.formatted("x") + "data: [DONE]", 5);
        assertThat(result.ok()).isTrue();
        assertThat(result.outputTokens()).as("no usage: content chunks").isEqualTo(1);
    }

    @Test
    void errorsAndMissingDoneFailTheRequest() {
        assertThat(read(CONTENT.formatted("x") + "event: error\ndata: overloaded\n\n", 4).error()).isEqualTo("stream_error");
        assertThat(read(CONTENT.formatted("x") + "data: {\"error\":{\"message\":\"boom\"}}\n\n", 4).error())
                .isEqualTo("stream_error");
        assertThat(read(CONTENT.formatted("x"), 4).error()).isEqualTo("incomplete_stream");
    }
}
