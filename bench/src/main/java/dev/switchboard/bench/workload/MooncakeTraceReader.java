package dev.switchboard.bench.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a Mooncake trace (JSON lines with {@code timestamp} in ms, {@code input_length},
 * {@code output_length} in tokens and {@code hash_ids}).
 *
 * <p>Each hash id stands for one {@value #BLOCK_TOKENS}-token block and, chained, for everything
 * before it. It becomes the text segment of seed {@code mix(seed, id)}, so equal ids give equal text
 * and a repeated id sequence is a repeated prompt prefix. A request's prompt is one user message: its
 * blocks in order, the last one cut so that the prompt has exactly {@code input_length} tokens. Block
 * texts are rendered only when a request is sent (see {@link SyntheticText}).
 *
 * <p>Lenient where a trace is short of ids (the remainder becomes text unique to the request) and
 * where it asks for 0 output tokens (sent as 1, the least an engine accepts).
 */
public final class MooncakeTraceReader {
    /** Tokens per hash id in Mooncake traces. */
    public static final int BLOCK_TOKENS = 512;

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Line(@JsonProperty("timestamp") Long timestamp, @JsonProperty("input_length") Integer inputLength,
            @JsonProperty("output_length") Integer outputLength, @JsonProperty("hash_ids") long[] hashIds) {
    }

    private MooncakeTraceReader() {
    }

    /** Reads {@code file}; {@code seed} varies the block texts (the same seed replays the same text). */
    public static Workload read(Path file, long seed) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.getFileName().toString(), seed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Mooncake trace " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a trace from {@code in}; {@code name} is used in messages and reports. */
    public static Workload read(BufferedReader in, String name, long seed) throws IOException {
        List<TraceRequest> requests = new ArrayList<>();
        long first = -1;
        int lineNumber = 0;
        for (String text = in.readLine(); text != null; text = in.readLine()) {
            lineNumber++;
            if (text.isBlank()) {
                continue;
            }
            Line line;
            try {
                line = MAPPER.readValue(text, Line.class);
            } catch (JacksonException e) {
                throw new IllegalArgumentException(name + " line " + lineNumber + ": not a Mooncake record: "
                        + e.getOriginalMessage(), e);
            }
            long timestamp = require(line.timestamp(), "timestamp", name, lineNumber);
            int input = require(line.inputLength(), "input_length", name, lineNumber);
            int output = require(line.outputLength(), "output_length", name, lineNumber);
            long[] ids = line.hashIds() == null ? new long[0] : line.hashIds();
            if (timestamp < 0 || input < 0 || output < 0) {
                throw new IllegalArgumentException(name + " line " + lineNumber
                        + ": timestamp, input_length and output_length must be >= 0");
            }
            if (first < 0) {
                first = timestamp;
            }
            if (timestamp < first) {
                throw new IllegalArgumentException(name + " line " + lineNumber + ": timestamp " + timestamp
                        + " is before the first record's " + first);
            }
            Prompt prompt = Prompt.user(segments(ids, input, seed, requests.size()));
            requests.add(TraceRequest.of((timestamp - first) * 1_000_000L, null, prompt, Math.max(1, output), null));
        }
        return new Workload(name, requests);
    }

    /** The segments of a prompt of {@code inputTokens} tokens over {@code ids}. */
    static List<TextSegment> segments(long[] ids, int inputTokens, long seed, int requestIndex) {
        List<TextSegment> segments = new ArrayList<>(ids.length + 1);
        int left = inputTokens;
        for (int i = 0; i < ids.length && left > 0; i++) {
            int tokens = Math.min(BLOCK_TOKENS, left);
            segments.add(new TextSegment(blockSeed(seed, ids[i]), tokens));
            left -= tokens;
        }
        if (left > 0) {
            segments.add(new TextSegment(Seeds.mix(Seeds.UNIQUE_TEXT, seed, requestIndex), left));
        }
        return segments;
    }

    /** Seed of the text of block {@code id}. */
    public static long blockSeed(long seed, long id) {
        return Seeds.mix(Seeds.MOONCAKE_BLOCK, seed, id);
    }

    private static <T> T require(T value, String field, String name, int lineNumber) {
        if (value == null) {
            throw new IllegalArgumentException(name + " line " + lineNumber + ": missing field '" + field + "'");
        }
        return value;
    }
}
