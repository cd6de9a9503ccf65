package dev.switchboard.sim;

import dev.switchboard.contract.prompt.Tokenizer;
import net.openhft.hashing.LongHashFunction;

/**
 * Deterministic stand-in token ids for text: one id per {@link Tokenizer#CHARS_PER_TOKEN} characters,
 * a hash of those characters folded into a Llama-3-sized vocabulary. Equal text gives equal ids; the count
 * always equals {@link Tokenizer#countTokens}.
 */
final class SyntheticTokenIds {
    /** Llama-3's vocabulary size. */
    static final int VOCAB = 128_256;

    private SyntheticTokenIds() {
    }

    static int[] of(String text) {
        int n = Tokenizer.countTokens(text);
        int[] ids = new int[n];
        int step = Tokenizer.CHARS_PER_TOKEN;
        for (int i = 0; i < n; i++) {
            int from = i * step;
            int len = Math.min(step, text.length() - from);
            ids[i] = (int) Math.floorMod(LongHashFunction.xx3().hashChars(text, from, len), (long) VOCAB);
        }
        return ids;
    }
}
