package dev.switchboard.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.http.HttpHeaders;

/**
 * The last requests an engine received (path and headers, never bodies), served at
 * {@code GET /sim/requests} so operators and tests can see exactly what reached the engine.
 * Credentials are masked.
 */
final class RecentRequests {
    private static final int CAPACITY = 128;
    private final Deque<Entry> entries = new ArrayDeque<>();

    /** One received request. */
    record Entry(long receivedAtMillis, String method, String path, Map<String, List<String>> headers) {
    }

    synchronized void record(long nowMillis, String method, String path, HttpHeaders headers) {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name.toLowerCase(java.util.Locale.ROOT),
                HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name) ? List.of("***") : List.copyOf(values)));
        if (entries.size() == CAPACITY) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(nowMillis, method, path, copy));
    }

    /** Oldest first. */
    synchronized List<Entry> snapshot() {
        return new ArrayList<>(entries);
    }
}
