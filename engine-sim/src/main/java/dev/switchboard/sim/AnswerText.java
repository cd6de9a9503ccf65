package dev.switchboard.sim;

import java.util.SplittableRandom;

/**
 * Deterministic answer text: the same prompt always gets the same answer, token by token. Every
 * token is exactly {@code Tokenizer.CHARS_PER_TOKEN} characters, so re-tokenizing an answer (as the
 * next turn of a conversation does) gives back the same token count.
 */
final class AnswerText {
    private static final String[] TOKENS = {
        " the", " GPU", " KV ", "cach", "e is", " fas", "t an", "d ev", "ery ", "requ", "est ", "has ",
        " a p", "refi", "x; r", "oute", " it ", "well", ". Pr", "efil", "l an", "d de", "code", " sha",
        "re t", "he b", "atch", " whi", "le t", "oken", "s st", "ream", " bac", "k.\n\n"};

    private final SplittableRandom random;
    private final int naturalLength;

    /**
     * @param promptSeed  a hash of the prompt (the answer depends only on it)
     * @param minTokens   shortest natural answer
     * @param maxTokens   longest natural answer
     */
    AnswerText(long promptSeed, int minTokens, int maxTokens) {
        this.random = new SplittableRandom(promptSeed);
        this.naturalLength = minTokens + random.nextInt(maxTokens - minTokens + 1);
    }

    /** Tokens the model would write before stopping on its own. */
    int naturalLength() {
        return naturalLength;
    }

    String nextToken() {
        return TOKENS[random.nextInt(TOKENS.length)];
    }
}
