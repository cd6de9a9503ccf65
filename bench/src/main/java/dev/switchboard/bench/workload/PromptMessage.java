package dev.switchboard.bench.workload;

import java.util.List;
import java.util.Objects;

/**
 * One chat message of a synthetic prompt, described by its role and the text segments whose
 * concatenation is its content. Rendering is deferred (see {@link Prompt#render}), so a workload of
 * thousands of long prompts holds only seeds and lengths.
 *
 * @param role     chat role ({@code system}, {@code user}, {@code assistant})
 * @param segments content, in order
 */
public record PromptMessage(String role, List<TextSegment> segments) {
    public PromptMessage {
        Objects.requireNonNull(role, "role");
        if (role.isBlank()) {
            throw new IllegalArgumentException("message role must not be blank");
        }
        segments = List.copyOf(segments);
    }

    /** A message with a single segment. */
    public static PromptMessage of(String role, TextSegment segment) {
        return new PromptMessage(role, List.of(segment));
    }

    /** Content tokens (the sum of the segments'). */
    public int tokens() {
        int sum = 0;
        for (TextSegment s : segments) {
            sum = Math.addExact(sum, s.tokens());
        }
        return sum;
    }
}
