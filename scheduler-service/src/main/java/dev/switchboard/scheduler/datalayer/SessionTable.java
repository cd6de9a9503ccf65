package dev.switchboard.scheduler.datalayer;

import java.util.LinkedHashMap;
import java.util.Map;

/** Which endpoint served each session last; bounded, least recently used sessions are forgotten. */
public final class SessionTable {
    private final Map<String, String> lastEndpoint;

    public SessionTable(int capacity) {
        this.lastEndpoint = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized String lastEndpoint(String sessionId) {
        return sessionId == null || sessionId.isEmpty() ? null : lastEndpoint.get(sessionId);
    }

    public synchronized void served(String sessionId, String endpointId) {
        if (sessionId != null && !sessionId.isEmpty()) {
            lastEndpoint.put(sessionId, endpointId);
        }
    }
}
