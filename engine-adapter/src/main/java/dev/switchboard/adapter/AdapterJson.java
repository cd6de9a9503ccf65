package dev.switchboard.adapter;

import dev.switchboard.support.json.BlockHashJson;
import tools.jackson.databind.json.JsonMapper;

/**
 * The adapter's one JSON mapper (Jackson 3) for event-stream payloads, admin views and the request
 * rewriting of the disaggregated path; thread-safe and immutable. KV events' block hashes are
 * written in their wire encoding ({@link BlockHashJson}).
 */
public final class AdapterJson {
    public static final JsonMapper MAPPER = JsonMapper.builder().addModule(BlockHashJson.module()).build();

    private AdapterJson() {
    }
}
