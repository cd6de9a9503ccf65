package dev.switchboard.bench.workload;

/**
 * Derives independent 64-bit seeds from a tuple of longs, so that every piece of synthetic text and
 * every random draw has its own reproducible stream (changing one group's seed never shifts another's).
 */
public final class Seeds {
    /** Namespace of Mooncake block texts. */
    static final long MOONCAKE_BLOCK = 0x4d4f4f4e43414b45L;
    /** Namespace of per-request unique texts (Azure, generators). */
    static final long UNIQUE_TEXT = 0x554e495155455854L;
    /** Namespace of shared system prompts. */
    static final long SYSTEM_TEXT = 0x53595354454d5458L;
    /** Namespace of questions and answers. */
    static final long TURN_TEXT = 0x5455524e54455854L;
    /** Namespace of arrival processes and other random draws. */
    static final long DRAWS = 0x4452415753454544L;

    private Seeds() {
    }

    /** A well-mixed seed for the tuple {@code parts} (order matters). */
    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = mix64(h ^ mix64(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    // Stafford's variant 13 of the MurmurHash3 finalizer, as in SplittableRandom.
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
