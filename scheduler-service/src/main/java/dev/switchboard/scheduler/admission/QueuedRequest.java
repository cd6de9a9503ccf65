package dev.switchboard.scheduler.admission;

import dev.switchboard.contract.wire.ScheduleRequest;

/**
 * A request waiting for an endpoint with headroom.
 *
 * @param request          the request
 * @param band             its priority band at arrival
 * @param enqueuedAtMillis when it joined the queue
 * @param sequence         arrival order (FIFO within a tenant and band)
 */
public record QueuedRequest(ScheduleRequest request, int band, long enqueuedAtMillis, long sequence) {
    public String tenant() {
        return request.tenant();
    }
}
