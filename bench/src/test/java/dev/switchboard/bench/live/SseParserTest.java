package dev.switchboard.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SseParserTest {
    private final List<String> events = new ArrayList<>();
    private final SseParser parser = new SseParser((type, data) -> events.add(type + "|" + data));

    private void feed(String... lines) {
        for (String l : lines) {
            parser.line(l);
        }
    }

    @Test
    void dispatchesOnBlankLinesAndDropsOneLeadingSpace() {
        feed("data: {\"a\":1}", "", "data:{\"b\":2}", "", "data:  two spaces", "");
        assertThat(events).containsExactly("message|{\"a\":1}", "message|{\"b\":2}", "message| two spaces");
    }

    @Test
    void joinsMultiLineDataAndHonoursEventTypes() {
        feed("event: error", "data: line one", "data: line two", "", "data: next", "");
        assertThat(events).containsExactly("error|line one\nline two", "message|next");
    }

    @Test
    void ignoresCommentsIdsAndEmptyEvents() {
        feed(": keep-alive", "", "id: 7", "retry: 100", "", "data: x", "");
        assertThat(events).containsExactly("message|x");
    }

    @Test
    void deliversAnUnterminatedLastEventAtEnd() {
        feed("data: [DONE]");
        assertThat(events).isEmpty();
        parser.end();
        assertThat(events).containsExactly("message|[DONE]");
    }

    @Test
    void endpointsAcceptBaseV1AndFullUrls() {
        assertThat(Endpoints.chatUrl("http://h:8080").toString()).isEqualTo("http://h:8080/v1/chat/completions");
        assertThat(Endpoints.chatUrl("http://h:8080/v1/").toString()).isEqualTo("http://h:8080/v1/chat/completions");
        assertThat(Endpoints.chatUrl("http://h/v1/chat/completions").toString()).isEqualTo("http://h/v1/chat/completions");
        assertThat(Endpoints.modelsUrl("http://h:8080").toString()).isEqualTo("http://h:8080/v1/models");
        assertThat(Endpoints.modelsUrl("https://h/x/v1/chat/completions").toString()).isEqualTo("https://h/x/v1/models");
    }
}
