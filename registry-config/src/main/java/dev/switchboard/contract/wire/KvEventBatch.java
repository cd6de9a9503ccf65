package dev.switchboard.contract.wire;

import java.util.List;
import java.util.Objects;

/**
 * KV events of one endpoint, in order, as forwarded by its adapter.
 *
 * @param endpointId       the endpoint whose cache changed
 * @param seq              the adapter's batch counter for this endpoint, from 0; a gap means lost events
 * @param observedAtMillis epoch millis at which the adapter received the batch
 * @param events           the changes, oldest first
 */
public record KvEventBatch(String endpointId, long seq, long observedAtMillis, List<KvEvent> events) {
    public KvEventBatch {
        Objects.requireNonNull(endpointId, "endpointId");
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, but was " + seq);
        }
        events = List.copyOf(events);
    }
}
