package dev.switchboard.adapter.proxy.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.contract.SwitchboardHeaders;
import dev.switchboard.contract.wire.EndpointRef;

class PrefillTargetTest {
    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("10.0.0.5:8071", List.of(new PrefillTarget("10.0.0.5", 8071, 0))),
                Arguments.of("10.0.0.5:8071;bootstrap-port=9001", List.of(new PrefillTarget("10.0.0.5", 8071, 9001))),
                Arguments.of(" a:1 ; bootstrap-port=2 , b:3 ", List.of(new PrefillTarget("a", 1, 2), new PrefillTarget("b", 3, 0))),
                Arguments.of("[::1]:8071;bootstrap-port=8998", List.of(new PrefillTarget("::1", 8071, 8998))),
                Arguments.of("a:1,,b:2", List.of(new PrefillTarget("a", 1, 0), new PrefillTarget("b", 2, 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parses(String header, List<PrefillTarget> expected) {
        assertThat(PrefillTarget.parse(header)).isEqualTo(expected);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("a", "is not host:port"),
                Arguments.of("a:x", "no numeric port"),
                Arguments.of("a:70000", "is not host:port"),
                Arguments.of("::1:80", "write IPv6 hosts as [addr]:port"),
                Arguments.of("a:1;room=3", "unknown parameter 'room=3'"),
                Arguments.of("a:1;bootstrap-port=x", "no numeric bootstrap port"),
                Arguments.of("a:1;bootstrap-port=0", "bootstrap port must be in [1, 65535]"),
                Arguments.of(" , ", "no prefill endpoint"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithAPreciseMessage(String header, String message) {
        assertThatThrownBy(() -> PrefillTarget.parse(header)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    static Stream<Arguments> refs() {
        return Stream.of(
                Arguments.of(new EndpointRef("p1", "10.0.0.5", 8071), new PrefillTarget("10.0.0.5", 8071, 0)),
                Arguments.of(new EndpointRef("p1", "10.0.0.5", 8071, 9001), new PrefillTarget("10.0.0.5", 8071, 9001)),
                Arguments.of(new EndpointRef("p1", "fe80::1", 8071, 8998), new PrefillTarget("fe80::1", 8071, 8998)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refs")
    void readsWhatTheGatewayWrites(EndpointRef prefill, PrefillTarget expected) {
        assertThat(PrefillTarget.parse(SwitchboardHeaders.prefillValue(prefill))).containsExactly(expected);
    }
}
