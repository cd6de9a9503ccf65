package dev.switchboard.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackloggedFairnessTest {
    private static final long S = 1_000_000_000L;

    /** {@code perSecond} requests of {@code tokens} each, granted one per 1/perSecond, all waiting from t=0 to {@code until}. */
    private static void backlogged(BackloggedFairness f, String tenant, int perSecond, long tokens, long until) {
        for (long t = 0; t < until; t += S / perSecond) {
            f.add(tenant, 0, t, true, t + 1, t + 2, tokens, 0);
        }
    }

    @Test
    void equalServiceAmongBackloggedTenantsIsOne() {
        BackloggedFairness f = new BackloggedFairness();
        backlogged(f, "a", 10, 100, 20 * S);
        backlogged(f, "b", 10, 100, 20 * S);
        assertThat(f.index(t -> 1)).isEqualTo(1.0);
    }

    @Test
    void serviceIsComparedPerWeight() {
        BackloggedFairness f = new BackloggedFairness();
        backlogged(f, "a", 20, 100, 20 * S);
        backlogged(f, "b", 10, 100, 20 * S);
        assertThat(f.index(t -> 1)).isLessThan(0.95);
        assertThat(f.index(t -> t.equals("a") ? 2 : 1)).isEqualTo(1.0);
    }

    @Test
    void aTenantWhoseDemandIsMetIsNotCompared() {
        BackloggedFairness f = new BackloggedFairness();
        backlogged(f, "heavy", 20, 100, 20 * S);
        backlogged(f, "other-heavy", 20, 100, 20 * S);
        // a light tenant served at once: never waiting, so its small service is no unfairness
        for (long t = 0; t < 20 * S; t += S) {
            f.add("light", t, t, true, t + 1, t + 2, 100, 0);
        }
        assertThat(f.index(t -> 1)).isEqualTo(1.0);
    }

    @Test
    void noWindowWithTwoBackloggedTenantsGivesNoIndex() {
        BackloggedFairness f = new BackloggedFairness();
        backlogged(f, "heavy", 20, 100, 20 * S);
        f.add("light", S, S, true, S + 1, S + 2, 100, 0);
        assertThat(f.index(t -> 1)).isNull();
    }
}
