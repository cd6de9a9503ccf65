package dev.switchboard.contract.wire;

import java.util.Objects;

/**
 * Where to send a request: an engine endpoint's id and the address of its adapter.
 *
 * @param id            the endpoint id from the engine descriptor
 * @param host          adapter host
 * @param port          adapter port
 * @param bootstrapPort the engine's SGLang/Mooncake bootstrap port (a prefill engine's, for the decode side
 *                      to hand to its engine), 0 if it has none or it is unknown
 */
public record EndpointRef(String id, String host, int port, int bootstrapPort) {
    public EndpointRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in [1, 65535], but was " + port);
        }
        if (bootstrapPort < 0 || bootstrapPort > 65535) {
            throw new IllegalArgumentException("bootstrapPort must be in [0, 65535], but was " + bootstrapPort);
        }
    }

    /** An endpoint without a bootstrap port. */
    public EndpointRef(String id, String host, int port) {
        this(id, host, port, 0);
    }

    /** {@code http://host:port}, the base URL of the adapter. */
    public String baseUrl() {
        return "http://" + hostPort();
    }

    /** {@code host:port}, as carried in Switchboard headers and URLs (an IPv6 host in brackets). */
    public String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
