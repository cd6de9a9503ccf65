package dev.switchboard.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndpointsTest {
    @Test
    void endpointsAcceptBaseV1AndFullUrls() {
        assertThat(Endpoints.chatUrl("http://h:8080").toString()).isEqualTo("http://h:8080/v1/chat/completions");
        assertThat(Endpoints.chatUrl("http://h:8080/v1/").toString()).isEqualTo("http://h:8080/v1/chat/completions");
        assertThat(Endpoints.chatUrl("http://h/v1/chat/completions").toString()).isEqualTo("http://h/v1/chat/completions");
        assertThat(Endpoints.modelsUrl("http://h:8080").toString()).isEqualTo("http://h:8080/v1/models");
        assertThat(Endpoints.modelsUrl("https://h/x/v1/chat/completions").toString()).isEqualTo("https://h/x/v1/models");
    }
}
