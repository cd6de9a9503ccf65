package dev.switchboard.bench.workload;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as {@code 250ms}, {@code 90s}, {@code 1.5s}, {@code 5m}, {@code 1h} or ISO-8601 {@code PT5M}. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)");

    private Durations() {
    }

    /** The duration {@code text} denotes; a bare number is not accepted (the unit is never guessed). */
    public static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(s);
        if (m.matches()) {
            double value = Double.parseDouble(m.group(1));
            double nanosPerUnit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            double nanos = value * nanosPerUnit;
            if (nanos > Long.MAX_VALUE) {
                throw new IllegalArgumentException("duration '" + text + "' is too long");
            }
            return Duration.ofNanos(Math.round(nanos));
        }
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 250ms, 90s, 5m, 1h or PT5M");
        }
    }

    /** A short human form: {@code 1.25 s}, {@code 12.0 ms}. */
    public static String format(Duration d) {
        double seconds = d.toNanos() / 1e9;
        return seconds >= 1 ? String.format(Locale.ROOT, "%.2f s", seconds) : String.format(Locale.ROOT, "%.1f ms", seconds * 1e3);
    }
}
