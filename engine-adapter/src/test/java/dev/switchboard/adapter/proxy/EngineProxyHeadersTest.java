package dev.switchboard.adapter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpHeaders;

class EngineProxyHeadersTest {

    static Stream<Arguments> requestHeaders() {
        return Stream.of(
                Arguments.of("content type is forwarded", "Content-Type", "application/json", true),
                Arguments.of("authorization is forwarded (engines may check --api-key)", "Authorization", "Bearer k", true),
                Arguments.of("internal lease header is consumed", "x-switchboard-lease", "L1", false),
                Arguments.of("internal headers match case-insensitively", "X-Switchboard-Prefill", "10.0.0.1:1", false),
                Arguments.of("hop-by-hop connection header is dropped", "Connection", "keep-alive", false),
                Arguments.of("transfer-encoding is dropped", "Transfer-Encoding", "chunked", false),
                Arguments.of("host is set by the client for the engine", "Host", "gateway:8080", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestHeaders")
    void requestHeadersReachTheEngineOnlyWhenTheyShould(String name, String header, String value, boolean forwarded) {
        HttpHeaders in = new HttpHeaders();
        in.add(header, value);
        HttpHeaders out = new HttpHeaders();
        EngineProxy.copyRequestHeaders(in, out);
        assertThat(out.containsHeader(header)).isEqualTo(forwarded);
    }

    @org.junit.jupiter.api.Test
    void gatewayRequestIdBecomesTheEnginesRequestId() {
        HttpHeaders in = new HttpHeaders();
        in.add("x-switchboard-request-id", "req-123");
        in.add("X-Request-Id", "client-chosen");
        HttpHeaders out = new HttpHeaders();
        EngineProxy.copyRequestHeaders(in, out);
        assertThat(out.get("X-Request-Id")).containsExactly("req-123");
    }
}
