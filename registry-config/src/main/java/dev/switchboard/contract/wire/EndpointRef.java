package dev.switchboard.contract.wire;

import java.util.Objects;

/**
 * Where to send a request: an engine endpoint's id and the address of its adapter.
 *
 * @param id   the endpoint id from the engine descriptor
 * @param host adapter host
 * @param port adapter port
 */
public record EndpointRef(String id, String host, int port) {
    public EndpointRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in [1, 65535], but was " + port);
        }
    }

    /** {@code http://host:port}, the base URL of the adapter. */
    public String baseUrl() {
        return "http://" + host + ":" + port;
    }

    /** {@code host:port}, as carried in Switchboard headers. */
    public String hostPort() {
        return host + ":" + port;
    }
}
