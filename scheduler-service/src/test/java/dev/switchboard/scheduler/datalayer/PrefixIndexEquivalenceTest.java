package dev.switchboard.scheduler.datalayer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.scheduler.framework.PrefixMatches;

/**
 * The index must answer exactly as the straightforward model it replaces: per endpoint a
 * LinkedHashSet in LRU order where a stored prompt is touched last-to-first and then evicted down to
 * capacity, plus a first-block holder set cleared whenever a hash leaves an endpoint.
 */
class PrefixIndexEquivalenceTest {
    private static final List<String> ENDPOINTS = List.of("a", "b", "c", "d", "e");

    /** The old index, written for clarity. */
    private static final class Model {
        final Map<String, LinkedHashSet<Long>> sets = new HashMap<>();
        final Map<String, Integer> capacity = new HashMap<>();
        final Map<Long, Set<String>> firstHolders = new HashMap<>();

        void track(String id, int cap) {
            sets.computeIfAbsent(id, k -> new LinkedHashSet<>());
            capacity.put(id, cap);
            evict(id);
        }

        void retain(Set<String> ids) {
            for (String id : List.copyOf(sets.keySet())) {
                if (!ids.contains(id)) {
                    clear(id);
                    sets.remove(id);
                    capacity.remove(id);
                }
            }
        }

        void stored(String id, long[] hashes, boolean first) {
            LinkedHashSet<Long> set = sets.get(id);
            if (set == null) {
                return;
            }
            for (int i = hashes.length - 1; i >= 0; i--) {
                set.remove(hashes[i]);
                set.add(hashes[i]);
            }
            if (first && hashes.length > 0) {
                firstHolders.computeIfAbsent(hashes[0], k -> new HashSet<>()).add(id);
            }
            evict(id);
        }

        void removed(String id, long[] hashes) {
            LinkedHashSet<Long> set = sets.get(id);
            if (set == null) {
                return;
            }
            for (long h : hashes) {
                if (set.remove(h)) {
                    unhold(h, id);
                }
            }
        }

        void clear(String id) {
            LinkedHashSet<Long> set = sets.get(id);
            if (set != null) {
                set.forEach(h -> unhold(h, id));
                set.clear();
            }
        }

        private void evict(String id) {
            LinkedHashSet<Long> set = sets.get(id);
            while (set.size() > capacity.get(id)) {
                long eldest = set.iterator().next();
                set.remove(eldest);
                unhold(eldest, id);
            }
        }

        private void unhold(long h, String id) {
            Set<String> holders = firstHolders.get(h);
            if (holders != null) {
                holders.remove(id);
            }
        }

        int matched(String id, long[] hashes) {
            LinkedHashSet<Long> set = sets.get(id);
            return set == null || hashes.length == 0 ? 0 : gallop(hashes, set::contains);
        }

        int matchedForCycle(String id, long[] hashes) {
            Set<String> holders = hashes.length == 0 ? null : firstHolders.get(hashes[0]);
            return holders == null || !holders.contains(id) ? 0 : matched(id, hashes);
        }

        static int gallop(long[] hashes, LongPredicate contains) {
            if (!contains.test(hashes[0])) {
                return 0;
            }
            int lo = 1;
            int step = 1;
            while (lo < hashes.length) {
                int probe = Math.min(hashes.length, lo + step);
                if (!contains.test(hashes[probe - 1])) {
                    break;
                }
                lo = probe;
                step <<= 1;
            }
            int hi = Math.min(hashes.length, lo + step) - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (contains.test(hashes[mid - 1])) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }
    }

    static Stream<Long> seeds() {
        return Stream.of(1L, 7L, 99L, 2024L, 31337L, 5L, 6L, 8L);
    }

    /** Prompts of a few groups sharing their first blocks, then their own blocks: chained-looking hashes. */
    private static long[] prompt(SplittableRandom random) {
        int group = random.nextInt(6);
        int shared = 1 + random.nextInt(12);
        int own = random.nextInt(12);
        int variant = random.nextInt(40);
        long[] h = new long[shared + own];
        for (int i = 0; i < h.length; i++) {
            h[i] = i < shared ? new SplittableRandom(group * 1_000L + i).nextLong()
                    : new SplittableRandom(1_000_000L + variant * 1_000L + i).nextLong();
        }
        return h;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void answersLikeTheReferenceModel(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        PrefixIndex index = new PrefixIndex();
        Model model = new Model();
        for (String id : ENDPOINTS) {
            int cap = 5 + random.nextInt(60);
            index.track(id, cap);
            model.track(id, cap);
        }
        for (int op = 0; op < 5_000; op++) {
            String id = ENDPOINTS.get(random.nextInt(ENDPOINTS.size()));
            long[] p = prompt(random);
            int kind = random.nextInt(100);
            if (kind < 70) {
                index.stored(id, p);
                model.stored(id, p, true);
            } else if (kind < 80) {
                // a KV event continuing a prompt: no first block
                int from = random.nextInt(p.length);
                long[] tail = java.util.Arrays.copyOfRange(p, from, p.length);
                boolean first = from == 0;
                index.stored(id, tail, first);
                model.stored(id, tail, first);
            } else if (kind < 92) {
                int from = random.nextInt(p.length);
                long[] gone = java.util.Arrays.copyOfRange(p, from, Math.min(p.length, from + 1 + random.nextInt(3)));
                index.removed(id, gone);
                model.removed(id, gone);
            } else if (kind < 95) {
                index.clear(id);
                model.clear(id);
            } else if (kind < 98) {
                int cap = 1 + random.nextInt(60);
                index.track(id, cap);
                model.track(id, cap);
            } else {
                Set<String> keep = new HashSet<>(ENDPOINTS);
                keep.remove(id);
                index.retain(keep);
                model.retain(keep);
                int cap = 5 + random.nextInt(60);
                index.track(id, cap);   // rediscovered, empty
                model.track(id, cap);
            }
            long[] asked = prompt(random);
            PrefixMatches matches = index.matchesFor(asked);
            long total = 0;
            for (String e : ENDPOINTS) {
                assertThat(index.matchedBlocks(e, asked)).as("op %d matchedBlocks(%s)", op, e).isEqualTo(model.matched(e, asked));
                assertThat(matches.matchedBlocks(e)).as("op %d matchesFor(%s)", op, e)
                        .isEqualTo(model.matchedForCycle(e, asked));
                assertThat(index.size(e)).isEqualTo(model.sets.get(e).size());
                total += model.sets.get(e).size();
            }
            assertThat(index.totalBlocks()).isEqualTo(total);
        }
    }
}
