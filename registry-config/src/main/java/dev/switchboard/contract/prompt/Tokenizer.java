package dev.switchboard.contract.prompt;

/**
 * Switchboard's deterministic stand-in tokenizer: one token per {@value #CHARS_PER_TOKEN} UTF-16
 * characters of canonical text (the last, partial group counts as a token). English text averages
 * about four characters per token with Llama-3 and Qwen2.5 tokenizers, so estimates are close to
 * real counts without shipping a vocabulary.
 *
 * <p>The gateway uses it to estimate prompt tokens for admission and quotas, and the simulator uses
 * it as its actual tokenizer, so the two always agree. Real engines report exact counts in
 * {@code usage}, which the scheduler uses to correct estimates at lease completion.
 */
public final class Tokenizer {
    /** Characters per token. */
    public static final int CHARS_PER_TOKEN = 4;

    private Tokenizer() {
    }

    /** Tokens in {@code text}. */
    public static int countTokens(CharSequence text) {
        return countTokens(text.length());
    }

    /** Tokens in a text of {@code chars} characters. */
    public static int countTokens(int chars) {
        if (chars < 0) {
            throw new IllegalArgumentException("chars must be >= 0, but was " + chars);
        }
        return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    /** Characters of {@code tokens} tokens (the inverse of {@link #countTokens(int)} for whole tokens). */
    public static int charsOf(int tokens) {
        return Math.multiplyExact(tokens, CHARS_PER_TOKEN);
    }
}
