package dev.switchboard.sim.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A classic Prometheus histogram with fixed labels, rendered in the text format by hand.
 *
 * <p>Why hand-written: the Prometheus Java client (1.x) refuses metric names ending in {@code _total} for
 * anything but counters ("The metric name must not include the '_total' suffix"), yet vLLM exposes the
 * histogram {@code vllm:iteration_tokens_total}. Every other metric goes through the client library.
 */
final class TextHistogram {
    private final String name;
    private final String help;
    private final String labels; // rendered, without braces: a="x",b="y"
    private final double[] bounds;
    private final LongAdder[] counts;
    private final DoubleAdder sum = new DoubleAdder();
    private final LongAdder count = new LongAdder();

    TextHistogram(String name, String help, List<String> labelNames, List<String> labelValues, double... bounds) {
        if (labelNames.size() != labelValues.size()) {
            throw new IllegalArgumentException("label names and values differ in length");
        }
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) {
                throw new IllegalArgumentException("bucket bounds must increase: " + bounds[i - 1] + ", " + bounds[i]);
            }
        }
        this.name = name;
        this.help = help;
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < labelNames.size(); i++) {
            if (i > 0) {
                l.append(',');
            }
            l.append(labelNames.get(i)).append("=\"").append(escape(labelValues.get(i))).append('"');
        }
        this.labels = l.toString();
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void observe(double value) {
        for (int i = 0; i < bounds.length; i++) {
            if (value <= bounds[i]) {
                counts[i].increment();
                break;
            }
        }
        sum.add(value);
        count.increment();
    }

    void write(Writer out) {
        try {
            out.write("# HELP " + name + " " + help.replace("\\", "\\\\").replace("\n", "\\n") + "\n");
            out.write("# TYPE " + name + " histogram\n");
            long cumulative = 0;
            String sep = labels.isEmpty() ? "" : ",";
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts[i].sum();
                out.write(name + "_bucket{" + labels + sep + "le=\"" + format(bounds[i]) + "\"} " + cumulative + "\n");
            }
            // observations may land while we read: keep +Inf >= every bucket, as a scrape must
            long total = Math.max(count.sum(), cumulative);
            out.write(name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + total + "\n");
            String braces = labels.isEmpty() ? "" : "{" + labels + "}";
            out.write(name + "_count" + braces + " " + total + "\n");
            out.write(name + "_sum" + braces + " " + format(sum.sum()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Same number formatting as the client library (Java's shortest repr, "1.0" for whole numbers). */
    private static String format(double v) {
        return Double.toString(v);
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
