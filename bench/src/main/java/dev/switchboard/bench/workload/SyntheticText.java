package dev.switchboard.bench.workload;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import dev.switchboard.contract.prompt.Tokenizer;

/**
 * Deterministic filler text: the text stream of a seed is lowercase letters, spaces and a little
 * punctuation drawn from a {@link SplittableRandom} seeded with it, so
 * <ul>
 *   <li>equal seeds give equal text, and a shorter run of a stream is a prefix of a longer one,</li>
 *   <li>different seeds give unrelated text (no accidental shared prefix beyond a few characters),</li>
 *   <li>every character is one UTF-16 unit that JSON never escapes, so
 *       {@link Tokenizer#countTokens} of {@code n} tokens of text is exactly {@code n}.</li>
 * </ul>
 *
 * <p>Rendered segments of up to {@link #MAX_CACHED_TOKENS} tokens are kept in a bounded LRU cache
 * ({@code cacheChars} characters in all), because trace blocks repeat (Mooncake block 0 is in every
 * request) while a whole trace's text would not fit in memory. Thread-safe.
 */
public final class SyntheticText {
    /** Longest segment worth caching: Mooncake blocks (512) and typical system prompts fit. */
    public static final int MAX_CACHED_TOKENS = 8192;
    /** Default cache budget: 16 M characters (16 MB with compact Latin-1 strings). */
    public static final long DEFAULT_CACHE_CHARS = 16L << 20;

    // 32 symbols, 5 bits each: mostly letters, ~16% spaces, a few commas and periods
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz    ,.".toCharArray();

    private final long cacheChars;
    private final LinkedHashMap<Long, String> cache = new LinkedHashMap<>(1024, 0.75f, true);
    private long cachedChars;
    private long hits;
    private long misses;

    /** A generator whose cache holds at most {@code cacheChars} characters (0 disables caching). */
    public SyntheticText(long cacheChars) {
        if (cacheChars < 0) {
            throw new IllegalArgumentException("cacheChars must be >= 0, but was " + cacheChars);
        }
        this.cacheChars = cacheChars;
    }

    /** A generator with {@link #DEFAULT_CACHE_CHARS}. */
    public SyntheticText() {
        this(DEFAULT_CACHE_CHARS);
    }

    /** Characters of {@code tokens} tokens. */
    static int charsOf(int tokens) {
        return Tokenizer.charsOf(tokens);
    }

    /** The text of {@code segment}. */
    public String text(TextSegment segment) {
        StringBuilder sb = new StringBuilder(charsOf(segment.tokens()));
        appendTo(sb, segment);
        return sb.toString();
    }

    /** Appends the text of {@code segment} to {@code out}. */
    public void appendTo(StringBuilder out, TextSegment segment) {
        int chars = charsOf(segment.tokens());
        if (chars == 0) {
            return;
        }
        if (segment.tokens() > MAX_CACHED_TOKENS || cacheChars == 0) {
            generate(out, segment.seed(), chars);
            return;
        }
        String cached;
        synchronized (this) {
            cached = cache.get(segment.seed());
            if (cached != null && cached.length() >= chars) {
                hits++;
            } else {
                misses++;
                cached = null;
            }
        }
        if (cached == null) {
            StringBuilder sb = new StringBuilder(chars);
            generate(sb, segment.seed(), chars);
            cached = sb.toString();
            put(segment.seed(), cached);
        }
        out.append(cached, 0, chars);
    }

    private synchronized void put(long seed, String text) {
        String old = cache.put(seed, text);
        cachedChars += text.length() - (old == null ? 0 : old.length());
        var it = cache.entrySet().iterator();
        while (cachedChars > cacheChars && it.hasNext()) {
            Map.Entry<Long, String> eldest = it.next();
            cachedChars -= eldest.getValue().length();
            it.remove();
        }
    }

    /** Cache hits and misses so far, for diagnostics. */
    public synchronized long[] cacheStats() {
        return new long[] {hits, misses};
    }

    /** Characters currently cached (never above the budget). */
    public synchronized long cachedChars() {
        return cachedChars;
    }

    private static void generate(StringBuilder out, long seed, int chars) {
        SplittableRandom random = new SplittableRandom(seed);
        int left = chars;
        while (left > 0) {
            long bits = random.nextLong();
            // 12 symbols of 5 bits from each long; the stream is the same whatever the length asked
            for (int i = 0; i < 12 && left > 0; i++, left--) {
                out.append(ALPHABET[(int) (bits & 31)]);
                bits >>>= 5;
            }
        }
    }
}
