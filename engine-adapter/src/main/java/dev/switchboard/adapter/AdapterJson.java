package dev.switchboard.adapter;

import tools.jackson.databind.json.JsonMapper;

/**
 * The adapter's one JSON mapper (Jackson 3) for event-stream payloads, admin views and the request
 * rewriting of the disaggregated path; thread-safe and immutable.
 */
public final class AdapterJson {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private AdapterJson() {
    }
}
