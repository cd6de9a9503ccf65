package dev.switchboard.adapter.kv;

/**
 * Follows the engine publisher's batch sequence (frame 2 of each ZeroMQ message: a per-publisher
 * counter from 0). Not thread-safe: one per subscriber thread.
 */
final class KvSequence {
    /** What a received sequence number means. */
    record Step(long lost, boolean publisherRestarted) {
    }

    private long expected = -1;

    /**
     * @return how many batches were lost just before {@code seq} (0 when in order), or a publisher
     *         restart when the counter went back (the engine restarted: its cache is empty)
     */
    Step next(long seq) {
        Step step;
        if (expected < 0) {
            step = new Step(0, false); // joined mid-stream: nothing known to be missing
        } else if (seq == expected) {
            step = new Step(0, false);
        } else if (Long.compareUnsigned(seq, expected) > 0) {
            step = new Step(seq - expected, false);
        } else {
            step = new Step(0, true);
        }
        expected = seq + 1;
        return step;
    }
}
