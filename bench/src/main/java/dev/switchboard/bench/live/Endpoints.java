package dev.switchboard.bench.live;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Turns the base URL a user gives ({@code http://host:8080}, {@code http://host:8080/v1} or the full
 * {@code .../v1/chat/completions}) into the URLs the live runner calls.
 */
public final class Endpoints {
    private static final String CHAT = "/chat/completions";

    private Endpoints() {
    }

    /** The chat completions URL of {@code base}. */
    public static URI chatUrl(String base) {
        String b = validated(base);
        if (b.endsWith("/v1" + CHAT)) {
            return URI.create(b);
        }
        return URI.create(b.endsWith("/v1") ? b + CHAT : b + "/v1" + CHAT);
    }

    /** The models URL of {@code base}. */
    public static URI modelsUrl(String base) {
        String chat = chatUrl(base).toString();
        return URI.create(chat.substring(0, chat.length() - CHAT.length()) + "/models");
    }

    private static String validated(String base) {
        String b = base.trim();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(b);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url '" + base + "' is not a URL: " + e.getMessage());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("--url must start with http:// or https://, but was '" + base + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--url '" + base + "' has no host");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("--url must not have a query or fragment, but was '" + base + "'");
        }
        return b;
    }
}
