package dev.switchboard.contract.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (what vLLM's and SGLang's
 * {@code prometheus_client} serve on {@code /metrics}).
 *
 * <p>Hand-written because no maintained Java library parses this format: the Prometheus Java client
 * (1.x) only writes it, and the older parsers on Maven Central are unmaintained. It is strict the way
 * Prometheus's own scraper is: one malformed line rejects the whole scrape (reported as a scrape error)
 * instead of silently dropping a series whose absence would then read as zero.
 *
 * <p>Accepted grammar per line, after trimming spaces and tabs: empty; a comment {@code # ...}
 * ({@code # TYPE name type} is recorded); or a sample
 * {@code name [ "{" label="value" {"," label="value"} [","] "}" ] value [ timestamp ]} with metric names
 * {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, label names {@code [a-zA-Z_][a-zA-Z0-9_]*}, label value escapes
 * {@code \\ \" \n} only, values in Go float syntax (plus {@code NaN}, {@code +Inf}, {@code -Inf}) and an
 * optional integer timestamp in milliseconds.
 */
public final class PrometheusText {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public Sample {
            labels = Collections.unmodifiableMap(labels);
        }
    }

    /** A malformed exposition; {@link #line()} is 1-based. */
    public static final class ParseException extends RuntimeException {
        private final int line;

        ParseException(int line, String message) {
            super("line " + line + ": " + message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusText() {
    }

    /** Parses everything. */
    public static MetricScrape parse(CharSequence text) {
        return parse(text, name -> true);
    }

    /**
     * Checks the syntax of every line but keeps only the samples whose name passes {@code keep} (a scrape
     * of a real engine has thousands of histogram buckets nobody here reads). Dropped lines allocate
     * nothing beyond their name, so a repeated label is reported only in a kept sample.
     */
    public static MetricScrape parse(CharSequence text, Predicate<String> keep) {
        Map<String, List<Sample>> samples = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        int length = text.length();
        int lineNo = 0;
        int start = 0;
        while (start <= length) {
            int end = start;
            while (end < length && text.charAt(end) != '\n') {
                end++;
            }
            lineNo++;
            if (start < length || end > start) {
                new Line(text, start, end, lineNo).parseInto(samples, types, keep);
            }
            start = end + 1;
        }
        return new MetricScrape(samples, types);
    }

    /** A cursor over one line. */
    private static final class Line {
        private final CharSequence text;
        private final int lineNo;
        private int pos;
        private int end;

        Line(CharSequence text, int start, int end, int lineNo) {
            this.text = text;
            this.lineNo = lineNo;
            this.pos = start;
            this.end = end;
            if (this.end > pos && text.charAt(this.end - 1) == '\r') {
                this.end--; // tolerate CRLF line ends
            }
        }

        void parseInto(Map<String, List<Sample>> samples, Map<String, String> types, Predicate<String> keep) {
            skipBlanks();
            if (pos == end) {
                return;
            }
            if (text.charAt(pos) == '#') {
                comment(types);
                return;
            }
            String name = metricName();
            boolean kept = keep.test(name);
            int afterName = pos;
            skipBlanks(); // Prometheus's own parser allows blanks before the label set
            Map<String, String> labels = Map.of();
            if (pos < end && text.charAt(pos) == '{') {
                labels = labels(kept);
                afterName = pos;
                skipBlanks();
            }
            if (pos == end || pos == afterName) {
                throw error("expected whitespace and a value after '" + name + "'");
            }
            double value = value(kept);
            if (pos < end) {
                if (!isBlank(text.charAt(pos))) {
                    throw error("unexpected character '" + text.charAt(pos) + "' after the value");
                }
                skipBlanks();
                if (pos < end) {
                    timestamp();
                    skipBlanks();
                    if (pos < end) {
                        throw error("unexpected text after the timestamp");
                    }
                }
            }
            if (kept) {
                samples.computeIfAbsent(name, n -> new ArrayList<>()).add(new Sample(name, labels, value));
            }
        }

        private void comment(Map<String, String> types) {
            pos++; // '#'
            skipBlanks();
            int wordStart = pos;
            while (pos < end && !isBlank(text.charAt(pos))) {
                pos++;
            }
            String keyword = text.subSequence(wordStart, pos).toString();
            if (!keyword.equals("TYPE")) {
                return; // HELP and free comments carry nothing the adapter reads
            }
            skipBlanks();
            String name = metricName();
            skipBlanks();
            String type = text.subSequence(pos, end).toString().trim();
            if (!TYPES.contains(type)) {
                throw error("unknown metric type '" + type + "' for '" + name + "'");
            }
            if (types.putIfAbsent(name, type) != null) {
                throw error("second TYPE line for '" + name + "'");
            }
        }

        private String metricName() {
            int s = pos;
            if (pos == end || !isNameStart(text.charAt(pos), true)) {
                throw error("expected a metric name");
            }
            pos++;
            while (pos < end && isNamePart(text.charAt(pos), true)) {
                pos++;
            }
            return text.subSequence(s, pos).toString();
        }

        /**
         * The label set; for a sample that is dropped ({@code kept} false) only its syntax is checked and
         * nothing is allocated, since a real engine's scrape is mostly histogram buckets nobody reads.
         */
        private Map<String, String> labels(boolean kept) {
            pos++; // '{'
            Map<String, String> labels = kept ? new LinkedHashMap<>() : null;
            skipBlanks();
            while (true) {
                if (pos == end) {
                    throw error("unterminated label set");
                }
                if (text.charAt(pos) == '}') {
                    pos++;
                    return labels;
                }
                int s = pos;
                if (!isNameStart(text.charAt(pos), false)) {
                    throw error("expected a label name");
                }
                pos++;
                while (pos < end && isNamePart(text.charAt(pos), false)) {
                    pos++;
                }
                int labelEnd = pos;
                skipBlanks();
                expect('=');
                skipBlanks();
                expect('"');
                String value = labelValue(kept);
                if (kept) {
                    String label = text.subSequence(s, labelEnd).toString();
                    if (labels.put(label, value) != null) {
                        throw error("label '" + label + "' appears twice");
                    }
                }
                skipBlanks();
                if (pos < end && text.charAt(pos) == ',') {
                    pos++;
                    skipBlanks();
                } else if (pos < end && text.charAt(pos) != '}') {
                    throw error("expected ',' or '}' after label '" + text.subSequence(s, labelEnd) + "'");
                }
            }
        }

        /** The label value after its opening quote; {@code null} (after checking it) when not {@code kept}. */
        private String labelValue(boolean kept) {
            StringBuilder sb = null;
            int s = pos;
            while (true) {
                if (pos == end) {
                    throw error("unterminated label value");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    String value = !kept ? null : sb == null ? text.subSequence(s, pos).toString() : sb.toString();
                    pos++;
                    return value;
                }
                if (c == '\\') {
                    if (sb == null && kept) {
                        sb = new StringBuilder().append(text, s, pos);
                    }
                    if (pos + 1 == end) {
                        throw error("unterminated escape in label value");
                    }
                    char e = text.charAt(pos + 1);
                    char unescaped = switch (e) {
                        case 'n' -> '\n';
                        case '\\' -> '\\';
                        case '"' -> '"';
                        default -> throw error("invalid escape '\\" + e + "' in label value");
                    };
                    if (sb != null) {
                        sb.append(unescaped);
                    }
                    pos += 2;
                    continue;
                }
                if (sb != null) {
                    sb.append(c);
                }
                pos++;
            }
        }

        /** The sample value; checked but not converted (NaN) when not {@code kept}. */
        private double value(boolean kept) {
            int s = pos;
            while (pos < end && !isBlank(text.charAt(pos))) {
                pos++;
            }
            return parseValue(text, s, pos, kept, this);
        }

        private void timestamp() {
            int s = pos;
            if (pos < end && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
                pos++;
            }
            int digits = pos;
            while (pos < end && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == digits || (pos < end && !isBlank(text.charAt(pos)))) {
                while (pos < end && !isBlank(text.charAt(pos))) {
                    pos++;
                }
                throw error("invalid timestamp '" + text.subSequence(s, pos) + "'");
            }
        }

        private void expect(char c) {
            if (pos == end || text.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void skipBlanks() {
            while (pos < end && isBlank(text.charAt(pos))) {
                pos++;
            }
        }

        ParseException error(String message) {
            return new ParseException(lineNo, message);
        }
    }

    /**
     * Parses {@code text[from, to)} as a sample value in Go float syntax (decimal only), NaN or signed Inf;
     * when {@code convert} is false only the syntax is checked and NaN returned.
     */
    static double parseValue(CharSequence text, int from, int to, boolean convert, Line line) {
        int n = to - from;
        if (regionIs(text, from, n, "NaN") || regionIs(text, from, n, "nan")) {
            return Double.NaN;
        }
        if (regionIs(text, from, n, "+Inf") || regionIs(text, from, n, "Inf") || regionIs(text, from, n, "+inf")
                || regionIs(text, from, n, "inf")) {
            return Double.POSITIVE_INFINITY;
        }
        if (regionIs(text, from, n, "-Inf") || regionIs(text, from, n, "-inf")) {
            return Double.NEGATIVE_INFINITY;
        }
        // Double.parseDouble also takes "1d", "0x1p3" and "Infinity": validate the shape first
        int i = from;
        if (i < to && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            i++;
        }
        int intDigits = 0;
        while (i < to && isDigit(text.charAt(i))) {
            i++;
            intDigits++;
        }
        int fracDigits = 0;
        if (i < to && text.charAt(i) == '.') {
            i++;
            while (i < to && isDigit(text.charAt(i))) {
                i++;
                fracDigits++;
            }
        }
        boolean ok = intDigits + fracDigits > 0;
        if (ok && i < to && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < to && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < to && isDigit(text.charAt(i))) {
                i++;
                expDigits++;
            }
            ok = expDigits > 0;
        }
        if (!ok || i != to) {
            String token = text.subSequence(from, to).toString();
            throw line == null ? new ParseException(0, "invalid value '" + token + "'")
                    : line.error("invalid value '" + token + "'");
        }
        return convert ? Double.parseDouble(text.subSequence(from, to).toString()) : Double.NaN;
    }

    private static boolean regionIs(CharSequence text, int from, int length, String word) {
        if (length != word.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (text.charAt(from + k) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isNameStart(char c, boolean colonAllowed) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colonAllowed && c == ':');
    }

    private static boolean isNamePart(char c, boolean colonAllowed) {
        return isNameStart(c, colonAllowed) || (c >= '0' && c <= '9');
    }
}
