package dev.switchboard.adapter.load;

/**
 * An engine-independent quantity the adapter reads from an engine's metrics. A {@link MetricsMapping}
 * says which exposed names carry it for one engine kind.
 */
public enum Signal {
    /** Requests in the running batch (gauge, summed over data-parallel ranks). */
    RUNNING(Type.GAUGE, Aggregation.SUM),
    /** Requests waiting in the engine's queue (gauge, summed). */
    WAITING(Type.GAUGE, Aggregation.SUM),
    /** Fraction of KV cache in use (gauge in [0, 1], averaged over ranks). */
    KV_USAGE(Type.GAUGE, Aggregation.MEAN),
    /** Prompt tokens found in the prefix cache (counter). */
    PREFIX_HITS(Type.COUNTER, Aggregation.SUM),
    /** Prompt tokens looked up in the prefix cache (counter). */
    PREFIX_QUERIES(Type.COUNTER, Aggregation.SUM),
    /** A ready-made hit-rate gauge, used only where the counters are absent (SGLang). */
    HIT_RATE(Type.GAUGE, Aggregation.MEAN),
    /** Time to first token (histogram, seconds). */
    TTFT(Type.HISTOGRAM, Aggregation.SUM),
    /** Inter-token latency (histogram, seconds). */
    ITL(Type.HISTOGRAM, Aggregation.SUM),
    /** Generated tokens (counter). */
    GENERATION_TOKENS(Type.COUNTER, Aggregation.SUM),
    /** A ready-made generation throughput gauge (tokens/s), used only where the counter is absent. */
    THROUGHPUT(Type.GAUGE, Aggregation.SUM);

    /** Prometheus metric type of a signal's source. */
    public enum Type { GAUGE, COUNTER, HISTOGRAM }

    /** How samples of several label sets combine. */
    public enum Aggregation { SUM, MEAN }

    private final Type type;
    private final Aggregation aggregation;

    Signal(Type type, Aggregation aggregation) {
        this.type = type;
        this.aggregation = aggregation;
    }

    public Type type() {
        return type;
    }

    public Aggregation aggregation() {
        return aggregation;
    }
}
