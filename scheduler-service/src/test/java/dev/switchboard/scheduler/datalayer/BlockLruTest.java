package dev.switchboard.scheduler.datalayer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BlockLruTest {

    /** Operations: "t h" touches, "f h" touches as a first block, "r h" removes, "c n" resizes. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("evicts the least recently used", 3, "t 1,t 2,t 3,t 4", "2,3,4", ""),
                Arguments.of("a touch makes a hash the most recent", 3, "t 1,t 2,t 3,t 1,t 4", "3,1,4", ""),
                Arguments.of("touching the newest changes nothing", 2, "t 1,t 2,t 2,t 3", "2,3", ""),
                Arguments.of("removal frees room without evicting", 3, "t 1,t 2,t 3,r 2,t 4", "1,3,4", ""),
                Arguments.of("removing an absent hash is harmless", 2, "t 1,r 9,t 2", "1,2", ""),
                Arguments.of("hash 0 is a hash like any other", 2, "t 0,t 1,t 0,t 2", "0,2", ""),
                Arguments.of("shrinking evicts the oldest", 4, "t 1,t 2,t 3,t 4,c 2", "3,4", ""),
                Arguments.of("growing keeps everything", 2, "t 1,t 2,c 3,t 3", "1,2,3", ""),
                Arguments.of("an evicted first block is reported", 2, "f 1,t 2,t 3", "2,3", "1"),
                Arguments.of("a removed first block is not reported as evicted", 2, "f 1,r 1,t 2,t 3", "2,3", ""),
                Arguments.of("the first mark survives a plain touch", 2, "f 1,t 1,t 2,t 3", "2,3", "1"),
                Arguments.of("a reused node forgets the mark", 1, "f 1,t 2,t 3", "3", "1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsExactLruOrder(String name, int capacity, String ops, String expected, String expectedFirstEvicted) {
        List<Long> firstEvicted = new ArrayList<>();
        BlockLru lru = new BlockLru(capacity, firstEvicted::add);
        for (String op : ops.split(",")) {
            long arg = Long.parseLong(op.substring(2));
            switch (op.charAt(0)) {
                case 't' -> lru.touch(arg, false);
                case 'f' -> lru.touch(arg, true);
                case 'r' -> lru.remove(arg);
                case 'c' -> lru.resize((int) arg);
                default -> throw new IllegalArgumentException(op);
            }
        }
        assertThat(contents(lru, expected)).isEqualTo(expected);
        assertThat(firstEvicted.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse(""))
                .isEqualTo(expectedFirstEvicted);
    }

    private static String contents(BlockLru lru, String expected) {
        for (String h : expected.isEmpty() ? new String[0] : expected.split(",")) {
            assertThat(lru.contains(Long.parseLong(h))).as("contains " + h).isTrue();
        }
        assertThat(lru.size()).isEqualTo(lru.oldestFirst().length);
        return java.util.Arrays.stream(lru.oldestFirst()).mapToObj(Long::toString).reduce((x, y) -> x + "," + y).orElse("");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithALinkedHashSetUnderRandomOperations(long seed) {
        agreesWithALinkedHashSet(seed, false);
    }

    /** Keys sharing their home slot make probe runs longer than a table entry's distance field can say. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithALinkedHashSetWhenManyKeysShareAHomeSlot(long seed) {
        agreesWithALinkedHashSet(seed, true);
    }

    private static long key(long i, boolean colliding) {
        // invMix(i << 20): every key's mixed hash has the same low 20 bits, so the same home slot
        return colliding ? it.unimi.dsi.fastutil.HashCommon.invMix(i << 20 | 0x5A5A5L) : i * 0x9E3779B97F4A7C15L;
    }

    private static void agreesWithALinkedHashSet(long seed, boolean colliding) {
        SplittableRandom random = new SplittableRandom(seed);
        int capacity = colliding ? 250 + random.nextInt(300) : 1 + random.nextInt(300);
        List<Long> firstEvicted = new ArrayList<>();
        BlockLru lru = new BlockLru(capacity, firstEvicted::add);
        LinkedHashSet<Long> reference = new LinkedHashSet<>();
        LinkedHashSet<Long> referenceFirst = new LinkedHashSet<>();
        List<Long> referenceFirstEvicted = new ArrayList<>();
        for (int op = 0; op < (colliding ? 5_000 : 20_000); op++) {
            long h = key(random.nextInt(capacity * 2), colliding);
            int kind = random.nextInt(100);
            if (kind < 10) {
                // a whole prompt, longer than the set now and then, duplicates possible
                long[] prompt = new long[1 + random.nextInt(capacity + capacity / 2 + 1)];
                for (int i = 0; i < prompt.length; i++) {
                    prompt[i] = key(random.nextInt(capacity * 2), colliding);
                }
                boolean first = random.nextBoolean();
                lru.touchAll(java.nio.LongBuffer.wrap(prompt), first);
                for (int i = prompt.length - 1; i >= 0; i--) {
                    if (!reference.remove(prompt[i])) {
                        referenceFirst.remove(prompt[i]);
                    }
                    reference.add(prompt[i]);
                    if (i == 0 && first) {
                        referenceFirst.add(prompt[i]);
                    }
                    while (reference.size() > capacity) {
                        long eldest = reference.iterator().next();
                        reference.remove(eldest);
                        if (referenceFirst.remove(eldest)) {
                            referenceFirstEvicted.add(eldest);
                        }
                    }
                }
            } else if (kind < 85) {
                boolean first = random.nextInt(10) == 0;
                lru.touch(h, first);
                if (!reference.remove(h)) {
                    referenceFirst.remove(h);
                }
                reference.add(h);
                if (first) {
                    referenceFirst.add(h);
                }
                while (reference.size() > capacity) {
                    long eldest = reference.iterator().next();
                    reference.remove(eldest);
                    if (referenceFirst.remove(eldest)) {
                        referenceFirstEvicted.add(eldest);
                    }
                }
            } else if (kind < 98) {
                int result = lru.remove(h);
                boolean present = reference.remove(h);
                boolean wasFirst = referenceFirst.remove(h);
                assertThat(result).isEqualTo(!present ? -1 : wasFirst ? 1 : 0);
            } else {
                capacity = colliding ? 250 + random.nextInt(300) : 1 + random.nextInt(300);
                lru.resize(capacity);
                while (reference.size() > capacity) {
                    long eldest = reference.iterator().next();
                    reference.remove(eldest);
                    if (referenceFirst.remove(eldest)) {
                        referenceFirstEvicted.add(eldest);
                    }
                }
            }
            assertThat(lru.size()).isEqualTo(reference.size());
            assertThat(firstEvicted).isEqualTo(referenceFirstEvicted);
            if (op % 97 == 0) {
                assertThat(lru.oldestFirst()).containsExactly(reference.stream().mapToLong(Long::longValue).toArray());
            }
        }
        for (long h = 0; h < capacity * 2L; h++) {
            long key = key(h, colliding);
            assertThat(lru.contains(key)).isEqualTo(reference.contains(key));
        }
        List<Long> marked = new ArrayList<>();
        lru.forEachFirst(marked::add);
        assertThat(marked).isEqualTo(new ArrayList<>(referenceFirst.stream()
                .sorted(java.util.Comparator.comparingInt(new ArrayList<>(reference)::indexOf)).toList()));
    }

    static Stream<Long> seeds() {
        return Stream.of(1L, 2L, 3L, 42L, 1234L);
    }
}
