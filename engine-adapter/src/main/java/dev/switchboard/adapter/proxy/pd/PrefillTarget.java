package dev.switchboard.adapter.proxy.pd;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.contract.SwitchboardHeaders;

/**
 * A prefill endpoint's adapter listener, from {@code x-switchboard-prefill} ({@code host:port}, optionally
 * followed by {@code ;bootstrap-port=N}; a comma-separated list names alternates, tried in order).
 *
 * @param host          host name or IP (IPv6 without brackets)
 * @param port          listener port
 * @param bootstrapPort the prefill engine's SGLang/Mooncake bootstrap port, 0 when the header names none
 *                      (the adapter's configured default then applies)
 */
public record PrefillTarget(String host, int port, int bootstrapPort) {

    /** A target without a bootstrap port. */
    public PrefillTarget(String host, int port) {
        this(host, port, 0);
    }

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
            int bootstrapPort = 0;
            int semicolon = entry.indexOf(';');
            if (semicolon >= 0) {
                bootstrapPort = bootstrapPort(entry, entry.substring(semicolon + 1).trim());
                entry = entry.substring(0, semicolon).trim();
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
            targets.add(new PrefillTarget(host, port, bootstrapPort));
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no prefill endpoint in '" + header + "'");
        }
        return List.copyOf(targets);
    }

    private static int bootstrapPort(String entry, String parameter) {
        String prefix = SwitchboardHeaders.BOOTSTRAP_PORT_PARAM + "=";
        if (!parameter.startsWith(prefix)) {
            throw new IllegalArgumentException("prefill endpoint '" + entry + "': unknown parameter '" + parameter
                    + "' (expected " + prefix + "N)");
        }
        int port;
        try {
            port = Integer.parseInt(parameter.substring(prefix.length()).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefill endpoint '" + entry + "' has no numeric bootstrap port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("prefill endpoint '" + entry + "': bootstrap port must be in [1, 65535]");
        }
        return port;
    }
}
