package dev.switchboard.bench.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads an Azure LLM inference trace (CSV with header {@code TIMESTAMP,ContextTokens,GeneratedTokens};
 * columns found by name, case-insensitively). {@code TIMESTAMP} is a date-time with up to 9 fractional
 * digits and an optional UTC offset (the 2023 and 2024 releases); arrivals are relative to the first
 * row.
 *
 * <p>The traces carry no prefix information, so every request gets text unique to it (seeded by the
 * run seed and its row). A row asking for 0 output tokens is sent with 1.
 *
 * <p>Parsed by hand: the format is three unquoted columns, and Jackson's CSV module for the Jackson
 * version this build uses is not published.
 */
public final class AzureTraceReader {
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd[ ]['T']HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    private AzureTraceReader() {
    }

    /** Reads {@code file}; {@code seed} chooses the request texts. */
    public static Workload read(Path file, long seed) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.getFileName().toString(), seed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Azure trace " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a trace from {@code in}; {@code name} is used in messages and reports. */
    public static Workload read(BufferedReader in, String name, long seed) throws IOException {
        String header = in.readLine();
        if (header == null) {
            throw new IllegalArgumentException(name + ": empty file, expected a CSV header");
        }
        String[] columns = split(stripBom(header));
        int timeColumn = column(columns, "TIMESTAMP", name);
        int inputColumn = column(columns, "ContextTokens", name);
        int outputColumn = column(columns, "GeneratedTokens", name);
        List<TraceRequest> requests = new ArrayList<>();
        Instant first = null;
        int lineNumber = 1;
        for (String text = in.readLine(); text != null; text = in.readLine()) {
            lineNumber++;
            if (text.isBlank()) {
                continue;
            }
            String[] cells = split(text);
            if (cells.length != columns.length) {
                throw new IllegalArgumentException(name + " line " + lineNumber + ": expected " + columns.length
                        + " columns, found " + cells.length);
            }
            Instant at = instant(cells[timeColumn], name, lineNumber);
            int input = tokens(cells[inputColumn], "ContextTokens", name, lineNumber);
            int output = tokens(cells[outputColumn], "GeneratedTokens", name, lineNumber);
            if (first == null) {
                first = at;
            }
            long offset = java.time.Duration.between(first, at).toNanos();
            if (offset < 0) {
                throw new IllegalArgumentException(name + " line " + lineNumber + ": TIMESTAMP " + cells[timeColumn]
                        + " is before the first row's");
            }
            int index = requests.size();
            Prompt prompt = Prompt.user(List.of(new TextSegment(Seeds.mix(Seeds.UNIQUE_TEXT, seed, index), input)));
            requests.add(TraceRequest.of(offset, null, prompt, Math.max(1, output), null));
        }
        return new Workload(name, requests);
    }

    private static String[] split(String line) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].trim();
        }
        return cells;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static int column(String[] columns, String wanted, String name) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].equalsIgnoreCase(wanted)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name + ": the CSV header has no '" + wanted + "' column (found "
                + String.join(", ", columns) + ")");
    }

    private static Instant instant(String cell, String name, int lineNumber) {
        try {
            TemporalAccessor parsed = TIMESTAMP.parse(cell);
            LocalDateTime local = LocalDateTime.from(parsed);
            ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(parsed) : ZoneOffset.UTC;
            return local.toInstant(offset);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " line " + lineNumber + ": TIMESTAMP '" + cell
                    + "' is not a date-time like 2023-11-16 18:15:46.6805900", e);
        }
    }

    private static int tokens(String cell, String column, String name, int lineNumber) {
        try {
            int value = Integer.parseInt(cell);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " line " + lineNumber + ": " + column
                    + " must be a whole number >= 0, but was '" + cell + "'");
        }
    }
}
