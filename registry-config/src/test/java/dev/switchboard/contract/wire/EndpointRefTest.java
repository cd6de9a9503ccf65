package dev.switchboard.contract.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EndpointRefTest {
    static Stream<Arguments> addresses() {
        return Stream.of(
                Arguments.of("10.0.0.5", 8071, "10.0.0.5:8071"),
                Arguments.of("adapter-1.local", 8071, "adapter-1.local:8071"),
                Arguments.of("fe80::1", 8071, "[fe80::1]:8071"),
                Arguments.of("::1", 80, "[::1]:80"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("addresses")
    void formatsAddressesThatUrlsAccept(String host, int port, String hostPort) {
        EndpointRef ref = new EndpointRef("e", host, port);
        assertThat(ref.hostPort()).isEqualTo(hostPort);
        URI uri = URI.create(ref.baseUrl());
        assertThat(uri.getPort()).isEqualTo(port);
        assertThat(uri.getHost()).isEqualTo(host.contains(":") ? "[" + host + "]" : host);
    }

    @Test
    void rejectsBadPorts() {
        assertThatThrownBy(() -> new EndpointRef("e", "h", 0)).hasMessageContaining("port must be in [1, 65535]");
        assertThatThrownBy(() -> new EndpointRef("e", "h", 80, 70000)).hasMessageContaining("bootstrapPort");
        assertThat(new EndpointRef("e", "h", 80).bootstrapPort()).isZero();
    }
}
