package dev.switchboard.adapter.proxy.pd;

import java.util.ArrayList;
import java.util.List;

/**
 * A prefill endpoint's adapter listener, from {@code x-switchboard-prefill} ({@code host:port}; a
 * comma-separated list names alternates, tried in order).
 *
 * @param host host name or IP (IPv6 without brackets)
 * @param port listener port
 */
public record PrefillTarget(String host, int port) {

    /** {@code http://host:port} */
    public String baseUrl() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Parses the header value; throws {@link IllegalArgumentException} naming the bad entry. */
    public static List<PrefillTarget> parse(String header) {
        List<PrefillTarget> targets = new ArrayList<>();
        for (String raw : header.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("prefill endpoint '" + entry + "' is not host:port");
            }
            String host = entry.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new IllegalArgumentException("prefill endpoint '" + entry + "': write IPv6 hosts as [addr]:port");
            }
            int port;
            try {
                port = Integer.parseInt(entry.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("prefill endpoint '" + entry + "' has no numeric port");
            }
            if (host.isBlank() || port < 1 || port > 65535) {
                throw new IllegalArgumentException("prefill endpoint '" + entry + "' is not host:port");
            }
            targets.add(new PrefillTarget(host, port));
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no prefill endpoint in '" + header + "'");
        }
        return List.copyOf(targets);
    }
}
