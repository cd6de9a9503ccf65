package dev.switchboard.bench.workload;

/**
 * A run of synthetic text: the first {@code tokens} tokens of the deterministic text stream named by
 * {@code seed} (see {@link SyntheticText}). Two segments with the same seed render to texts of which
 * the shorter is a prefix of the longer, so equal seeds mean equal (prefix) text.
 *
 * @param seed   names the text stream
 * @param tokens length in tokens ({@code Tokenizer.CHARS_PER_TOKEN} characters each), at least 0
 */
public record TextSegment(long seed, int tokens) {
    public TextSegment {
        if (tokens < 0) {
            throw new IllegalArgumentException("segment tokens must be >= 0, but was " + tokens);
        }
    }
}
