package dev.switchboard.adapter.engine;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Operational counters of one endpoint's watchers (scraper, KV subscriber), for {@code /admin/status}
 * and metrics. Written by one watcher thread each, read by anyone.
 */
public final class EngineStatus {
    /** Scrape outcomes. */
    public final Scrape scrape = new Scrape();
    /** KV event subscription. */
    public final Kv kv = new Kv();

    /** Scrape counters; reasons are short stable codes (also metric tags). */
    public static final class Scrape {
        private final AtomicLong ok = new AtomicLong();
        private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        private final Set<String> missing = ConcurrentHashMap.newKeySet();
        private final Map<String, String> sources = new ConcurrentHashMap<>();
        private volatile String lastError = "";
        private volatile long lastErrorAtMillis;
        private volatile long lastOkAtMillis;
        private volatile long lastLatencyMicros;

        public void ok(long atMillis, long latencyMicros) {
            ok.incrementAndGet();
            lastOkAtMillis = atMillis;
            lastLatencyMicros = latencyMicros;
        }

        public void error(String reason, String message, long atMillis) {
            errors.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
            lastError = reason + ": " + message;
            lastErrorAtMillis = atMillis;
        }

        /** Replaces the set of load fields missing from the engine; returns the newly missing ones. */
        public Set<String> missing(Set<String> now) {
            Set<String> added = new java.util.HashSet<>(now);
            added.removeAll(missing);
            missing.retainAll(now);
            missing.addAll(now);
            return added;
        }

        /** Records the exposed metric name each signal was read from; returns true if it changed. */
        public boolean source(String signal, String name) {
            return !name.equals(sources.put(signal, name));
        }

        public long okCount() {
            return ok.get();
        }

        public long errorCount(String reason) {
            AtomicLong n = errors.get(reason);
            return n == null ? 0 : n.get();
        }

        public long errorCount() {
            return errors.values().stream().mapToLong(AtomicLong::get).sum();
        }

        public boolean isMissing(String field) {
            return missing.contains(field);
        }

        public View view() {
            Map<String, Long> byReason = new TreeMap<>();
            errors.forEach((k, v) -> byReason.put(k, v.get()));
            return new View(ok.get(), byReason, lastError, lastErrorAtMillis, lastOkAtMillis, lastLatencyMicros,
                    List.copyOf(new java.util.TreeSet<>(missing)), new TreeMap<>(sources));
        }

        /** JSON view for {@code /admin/status}. */
        public record View(long ok, Map<String, Long> errors, String lastError, long lastErrorAtMillis,
                long lastOkAtMillis, long lastLatencyMicros, List<String> missingFields, Map<String, String> metricSources) {
        }
    }

    /** KV subscription counters. */
    public static final class Kv {
        private final AtomicLong batches = new AtomicLong();
        private final AtomicLong events = new AtomicLong();
        private final AtomicLong gaps = new AtomicLong();
        private final AtomicLong lostBatches = new AtomicLong();
        private final AtomicLong malformed = new AtomicLong();
        private final AtomicLong unknownEvents = new AtomicLong();
        private final AtomicLong publisherRestarts = new AtomicLong();
        private volatile String endpoint = "";
        private volatile boolean running;
        private volatile long lastEngineSeq = -1;
        private volatile String lastError = "";

        public void started(String zmqEndpoint) {
            endpoint = zmqEndpoint;
            running = true;
        }

        public void stopped() {
            running = false;
        }

        public void batch(long engineSeq, int eventCount) {
            batches.incrementAndGet();
            events.addAndGet(eventCount);
            lastEngineSeq = engineSeq;
        }

        public void gap(long lost) {
            gaps.incrementAndGet();
            lostBatches.addAndGet(lost);
        }

        public void publisherRestart() {
            publisherRestarts.incrementAndGet();
        }

        public void malformed(String message) {
            malformed.incrementAndGet();
            lastError = message;
        }

        public void unknownEvents(int n) {
            unknownEvents.addAndGet(n);
        }

        public long batches() {
            return batches.get();
        }

        public long events() {
            return events.get();
        }

        public long gaps() {
            return gaps.get();
        }

        public long lostBatches() {
            return lostBatches.get();
        }

        public long malformed() {
            return malformed.get();
        }

        public long unknownEvents() {
            return unknownEvents.get();
        }

        public View view() {
            return new View(endpoint, running, batches.get(), events.get(), gaps.get(), lostBatches.get(),
                    publisherRestarts.get(), malformed.get(), unknownEvents.get(), lastEngineSeq, lastError);
        }

        /** JSON view for {@code /admin/status}. */
        public record View(String endpoint, boolean running, long batches, long events, long seqGaps, long lostBatches,
                long publisherRestarts, long malformed, long unknownEvents, long lastEngineSeq, String lastError) {
        }
    }
}
