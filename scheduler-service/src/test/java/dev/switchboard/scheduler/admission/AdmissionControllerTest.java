package dev.switchboard.scheduler.admission;

import static dev.switchboard.scheduler.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.MutableClock;
import dev.switchboard.scheduler.framework.ClusterSnapshot;

class AdmissionControllerTest {
    private final MutableClock clock = new MutableClock();
    private final AdmissionController admission = new AdmissionController(
            new AdmissionConfig(3, 0.95, 0, 0, Duration.ofSeconds(30), Duration.ofSeconds(10), 100, 100), clock);
    private int ids;

    private static final ClusterSnapshot FREE = new ClusterSnapshot(1, List.of(endpoint("e").load(1, 0, 0.2).build()));
    private static final ClusterSnapshot SATURATED = new ClusterSnapshot(1, List.of(endpoint("e").load(8, 3, 0.5).build()));

    private ScheduleRequest request(String tenant, int priority, int promptTokens, int maxTokens) {
        return new ScheduleRequest("r" + ids++, "llama-3-8b", tenant, priority, promptTokens, maxTokens, null, null, true, null);
    }

    private void tenants(String yaml) {
        admission.tenants(TenantsConfig.parse(yaml));
    }

    /** Releases queued requests one at a time while the cluster is free, counting the tokens each tenant got. */
    private List<String> serveAll() {
        List<String> order = new ArrayList<>();
        QueuedRequest q;
        while ((q = admission.next(FREE)) != null) {
            admission.dispatched(q.request());
            order.add(q.tenant());
        }
        return order;
    }

    @Test
    void admitsAtOnceWithHeadroomAndQueuesWhenEverythingIsSaturated() {
        assertThat(admission.offer(request("a", 0, 100, 10), FREE)).isInstanceOf(Verdict.Admit.class);
        Verdict queued = admission.offer(request("a", 0, 100, 10), SATURATED);
        assertThat(queued).isInstanceOf(Verdict.Queued.class);
        assertThat(admission.next(SATURATED)).as("still no headroom").isNull();
        // once something waits, newcomers for that model queue behind it even if headroom appeared
        assertThat(admission.offer(request("b", 0, 100, 10), FREE)).isInstanceOf(Verdict.Queued.class);
        assertThat(admission.next(FREE)).isEqualTo(((Verdict.Queued) queued).ticket());
    }

    @Test
    void saturationIsJudgedOnTheEnginesSignalsNotOnOpenLeases() {
        // a fast engine with many leases still open (completions on their way) has headroom
        assertThat(admission.saturated(endpoint("fast").load(0, 0, 0.1).outstanding(50).build())).isFalse();
        assertThat(admission.saturated(endpoint("queued").load(10, 3, 0.1).build())).isTrue();
        assertThat(admission.saturated(endpoint("full-kv").load(10, 0, 0.96).build())).isTrue();
        assertThat(admission.saturated(endpoint("never-reported").outstanding(50).build())).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // case,                                 running, waiting, kv,  open leases, prefill backlog, budget tokens, budget running, headroom
            "idle engine,                              0, 0, 0.10,  0,     0, 8192,  64, true",
            "backlog below the prefill budget,        10, 0, 0.30,  10, 8191, 8192,  64, true",
            "backlog at the prefill budget,           10, 0, 0.30,  10, 8192, 8192,  64, false",
            "prefill budget off,                      10, 0, 0.30,  10, 90000,   0,  64, true",
            "open leases below the running budget,    63, 0, 0.30,  63,    0, 8192,  64, true",
            "open leases at the running budget,       63, 0, 0.30,  64,    0, 8192,  64, false",
            "running budget off,                     300, 0, 0.50, 300,    0, 8192,   0, true",
            "within budgets but the engine queues,    10, 3, 0.30,  13,    0, 8192,  64, false",
            "within budgets but KV is full,           10, 0, 0.96,  10,    0, 8192,  64, false",
            "budgets bind before the first report,    -1, 0, 0.00,  64,    0, 8192,  64, false",
            "no report and within budgets,            -1, 0, 0.00,   5, 1000, 8192,  64, true",
    })
    void headroomRule(String name, int running, int waiting, double kv, int open, long backlog, long budgetTokens,
            int budgetRunning, boolean headroom) {
        AdmissionController controller = new AdmissionController(AdmissionConfig.defaults().withHeadroom(budgetTokens, budgetRunning),
                clock);
        var e = endpoint("e").outstanding(open).backlog(backlog);
        if (running >= 0) {
            e.load(running, waiting, kv);
        }
        assertThat(controller.hasHeadroom(e.build())).as(name).isEqualTo(headroom);
        ClusterSnapshot snapshot = new ClusterSnapshot(1, List.of(e.build()));
        assertThat(controller.offer(request("a", 0, 100, 10), snapshot))
                .as(name + ": a lone tenant goes at once exactly when there is headroom")
                .isInstanceOf(headroom ? Verdict.Admit.class : Verdict.Queued.class);
    }

    @Test
    void queuedRequestsLeaveOnlyWithHeadroomAndInFairOrderWhateverTheirShare() {
        AdmissionController controller = new AdmissionController(AdmissionConfig.defaults().withHeadroom(0, 2), clock);
        ClusterSnapshot free = new ClusterSnapshot(1, List.of(endpoint("e").load(0, 0, 0.1).build()));
        for (int i = 0; i < 2; i++) {
            ScheduleRequest r = request("heavy", 0, 1000, 100);
            assertThat(controller.offer(r, free)).isInstanceOf(Verdict.Admit.class);
            controller.dispatched(r);
        }
        ClusterSnapshot full = new ClusterSnapshot(1, List.of(endpoint("e").load(2, 0, 0.3).outstanding(2).build()));
        assertThat(controller.offer(request("heavy", 0, 1000, 100), full)).isInstanceOf(Verdict.Queued.class);
        ClusterSnapshot saturated = new ClusterSnapshot(1, List.of(endpoint("e").load(2, 3, 0.3).outstanding(2).build()));
        assertThat(controller.offer(request("light", 0, 1000, 100), saturated)).isInstanceOf(Verdict.Queued.class);
        // light now waits: it is backlogged, so it takes its turn in fair order like everyone else instead of
        // leaving over budget on its small in-flight share (that would tilt service among backlogged tenants)
        assertThat(controller.next(full)).as("over budget: nobody leaves the queue").isNull();
        ClusterSnapshot room = new ClusterSnapshot(1, List.of(endpoint("e").load(1, 0, 0.3).outstanding(1).build()));
        assertThat(controller.next(room)).as("headroom: the least-served tenant's request").isNotNull()
                .extracting(QueuedRequest::tenant).isEqualTo("heavy");
    }

    @Test
    void aTenantBelowItsShareGoesWhileOverBudgetButAFloodWaits() {
        AdmissionController controller = new AdmissionController(AdmissionConfig.defaults().withHeadroom(0, 4), clock);
        ClusterSnapshot free = new ClusterSnapshot(1, List.of(endpoint("e").load(0, 0, 0.1).build()));
        for (int i = 0; i < 4; i++) {
            ScheduleRequest r = request("heavy", 0, 1000, 100);
            assertThat(controller.offer(r, free)).isInstanceOf(Verdict.Admit.class);
            controller.dispatched(r);
        }
        ClusterSnapshot full = new ClusterSnapshot(1, List.of(endpoint("e").load(4, 0, 0.3).outstanding(4).build()));
        assertThat(controller.offer(request("heavy", 0, 1000, 100), full)).as("the flood holds everything in flight")
                .isInstanceOf(Verdict.Queued.class);
        ScheduleRequest light = request("light", 0, 1000, 100);
        assertThat(controller.offer(light, full)).as("light holds nothing: below its half, it overtakes the backlog")
                .isInstanceOf(Verdict.Admit.class);
        controller.dispatched(light);
        ClusterSnapshot fuller = new ClusterSnapshot(1, List.of(endpoint("e").load(5, 0, 0.3).outstanding(5).build()));
        assertThat(controller.next(fuller)).as("heavy is above its share: it waits for headroom").isNull();
        ClusterSnapshot saturated = new ClusterSnapshot(1, List.of(endpoint("e").load(5, 3, 0.3).outstanding(5).build()));
        assertThat(controller.offer(request("light-2", 0, 1000, 100), saturated))
                .as("a saturated engine takes nobody, whatever the share").isInstanceOf(Verdict.Queued.class);
        controller.completed(light.requestId(), 1100, true);
        assertThat(controller.queues()).filteredOn(q -> q.tenant().equals("heavy")).singleElement()
                .extracting(AdmissionController.TenantQueue::queued).isEqualTo(1);
    }

    // Two tenants of weight 1, every request 1100 tokens: a tenant with nothing waiting goes past a full
    // budget while it holds less than 1.5 x half the tokens in flight, i.e. fewer than 3 x the flood's.
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "light holds nothing,                          4, 0, true",
        "light at its share (1x would queue it),      3, 3, true",
        "light within 1.5x its share,                 2, 5, true",
        "light at 1.5x its share,                     2, 6, false",
        "light alone (nobody to overtake),            0, 6, false",
    })
    void aTenantWithNothingWaitingOvertakesAFullBudgetWithinItsShareAllowance(String name, int heavyInFlight,
            int lightInFlight, boolean overtakes) {
        int budget = heavyInFlight + lightInFlight;
        AdmissionController controller = new AdmissionController(AdmissionConfig.defaults().withHeadroom(0, budget), clock);
        ClusterSnapshot free = new ClusterSnapshot(1, List.of(endpoint("e").load(0, 0, 0.1).build()));
        for (int i = 0; i < heavyInFlight + lightInFlight; i++) {
            ScheduleRequest r = request(i < heavyInFlight ? "heavy" : "light", 0, 1000, 100);
            assertThat(controller.offer(r, free)).isInstanceOf(Verdict.Admit.class);
            controller.dispatched(r);
        }
        ClusterSnapshot full = new ClusterSnapshot(1, List.of(endpoint("e").load(budget, 0, 0.3).outstanding(budget).build()));
        assertThat(controller.offer(request("light", 0, 1000, 100), full)).as(name)
                .isInstanceOf(overtakes ? Verdict.Admit.class : Verdict.Queued.class);
    }

    @Test
    void aLightTenantBackFromIdleOvertakesAFloodOnACounterTie() {
        for (int i = 0; i < 5; i++) {
            admission.dispatched(admitOrQueue("heavy"));
        }
        for (int i = 0; i < 10; i++) {
            admission.offer(request("heavy", 0, 1000, 100), SATURATED);
        }
        QueuedRequest light = ((Verdict.Queued) admission.offer(request("light", 0, 1000, 100), SATURATED)).ticket();
        assertThat(admission.next(FREE)).as("level counters: fewer waiting goes first").isEqualTo(light);
    }

    private ScheduleRequest admitOrQueue(String tenant) {
        ScheduleRequest r = request(tenant, 0, 1000, 100);
        admission.offer(r, FREE);
        return r;
    }

    @Test
    void aFloodingTenantDoesNotStarveALightOneOfEqualWeight() {
        for (int i = 0; i < 30; i++) {
            admission.offer(request("heavy", 0, 1000, 100), SATURATED);
        }
        for (int i = 0; i < 5; i++) {
            admission.offer(request("light", 0, 1000, 100), SATURATED);
        }
        List<String> order = serveAll();
        assertThat(order).hasSize(35);
        // light's 5 requests are interleaved with heavy's first ones, not served after all 30
        assertThat(order.subList(0, 10)).filteredOn("light"::equals).hasSize(5);
    }

    @Test
    void serviceFollowsWeightsAmongBackloggedTenants() {
        tenants("tenants: [ { id: gold, weight: 2 }, { id: bronze, weight: 1 } ]");
        for (int i = 0; i < 60; i++) {
            admission.offer(request("gold", 0, 500, 100), SATURATED);
            admission.offer(request("bronze", 0, 500, 100), SATURATED);
        }
        Map<String, Integer> firstSixty = new HashMap<>();
        serveAll().subList(0, 60).forEach(t -> firstSixty.merge(t, 1, Integer::sum));
        assertThat(firstSixty.get("gold")).isBetween(39, 41);
        assertThat(firstSixty.get("bronze")).isBetween(19, 21);
    }

    @Test
    void fairnessIsInTokensNotRequests() {
        for (int i = 0; i < 10; i++) {
            admission.offer(request("big", 0, 9000, 1000), SATURATED);       // 10k tokens each
            admission.offer(request("small", 0, 900, 100), SATURATED);       // 1k tokens each
        }
        List<String> order = serveAll();
        // after the first big request, small gets about ten requests' worth before big goes again
        assertThat(order.subList(0, 11)).filteredOn("small"::equals).hasSizeGreaterThanOrEqualTo(9);
    }

    @Test
    void higherBandsGoFirstAndWaitingAgesLowBandsUp() {
        admission.offer(request("a", 0, 100, 10), SATURATED);
        admission.offer(request("b", 5, 100, 10), SATURATED);
        assertThat(admission.next(FREE).tenant()).isEqualTo("b");
        assertThat(admission.next(FREE).tenant()).isEqualTo("a");

        admission.offer(request("low", 0, 100, 10), SATURATED);
        clock.advance(Duration.ofSeconds(25));       // aged two bands: effective band 2
        admission.offer(request("high", 2, 100, 10), SATURATED);
        assertThat(admission.next(FREE).tenant()).as("aged to band 2 and older").isEqualTo("low");
    }

    @Test
    void aTenantReturningFromIdleGetsNoBurstOfCredit() {
        for (int i = 0; i < 20; i++) {
            admission.offer(request("busy", 0, 1000, 0), SATURATED);
        }
        for (int i = 0; i < 10; i++) {
            admission.dispatched(admission.next(FREE).request());
        }
        // "idle" was away while busy accumulated service; it now arrives with 10 requests
        for (int i = 0; i < 10; i++) {
            admission.offer(request("idle", 0, 1000, 0), SATURATED);
        }
        List<String> order = serveAll();
        // with credit for its idle time, idle would take its 10 in a row; lifted, it alternates with busy
        assertThat(order.subList(0, 6)).contains("busy");
    }

    @Test
    void quotaIsReservedRejectedWithRetryAfterAndRefundedAtCompletion() {
        tenants("tenants: [ { id: q, tokens-per-minute: 6000 } ]");
        ScheduleRequest first = request("q", 0, 3000, 1000);
        assertThat(admission.offer(first, FREE)).isInstanceOf(Verdict.Admit.class);
        admission.dispatched(first);
        Verdict second = admission.offer(request("q", 0, 3000, 1000), FREE);
        assertThat(second).isInstanceOfSatisfying(Verdict.Rejected.class, r -> {
            assertThat(r.httpStatus()).isEqualTo(429);
            assertThat(r.error().code()).isEqualTo("quota_exceeded");
            assertThat(r.retryAfterSeconds()).isEqualTo(20);  // 2000 missing at 100 tokens/s
        });
        admission.completed(first.requestId(), 3100, true);   // used 3100 of 4000 reserved: 900 back
        assertThat(admission.offer(request("q", 0, 2800, 100), FREE)).isInstanceOf(Verdict.Admit.class);
        clock.advance(Duration.ofSeconds(60));
        assertThat(admission.offer(request("q", 0, 3000, 1000), FREE)).as("refilled").isInstanceOf(Verdict.Admit.class);
        assertThat(admission.offer(request("q", 0, 7000, 0), FREE)).isInstanceOfSatisfying(Verdict.Rejected.class,
                r -> assertThat(r.error().message()).contains("more than tenant 'q's quota"));
    }

    @Test
    void aFullTenantQueueIsRejectedAndOthersStillQueue() {
        tenants("tenants: [ { id: small-queue, max-queued: 2 } ]");
        admission.offer(request("small-queue", 0, 10, 1), SATURATED);
        admission.offer(request("small-queue", 0, 10, 1), SATURATED);
        assertThat(admission.offer(request("small-queue", 0, 10, 1), SATURATED)).isInstanceOfSatisfying(Verdict.Rejected.class,
                r -> assertThat(r.error().code()).isEqualTo("queue_full"));
        assertThat(admission.offer(request("other", 0, 10, 1), SATURATED)).isInstanceOf(Verdict.Queued.class);
    }

    @Test
    void timedOutAndCancelledRequestsLeaveTheQueue() {
        Verdict.Queued old = (Verdict.Queued) admission.offer(request("a", 0, 10, 1), SATURATED);
        clock.advance(Duration.ofSeconds(20));
        Verdict.Queued young = (Verdict.Queued) admission.offer(request("a", 0, 10, 1), SATURATED);
        Verdict.Queued gone = (Verdict.Queued) admission.offer(request("b", 0, 10, 1), SATURATED);
        assertThat(admission.cancel(gone.ticket())).isTrue();
        assertThat(admission.cancel(gone.ticket())).isFalse();
        clock.advance(Duration.ofSeconds(15));
        assertThat(admission.expire()).containsExactly(old.ticket());
        assertThat(admission.queuedTotal()).isEqualTo(1);
        assertThat(admission.next(FREE)).isEqualTo(young.ticket());
    }

    @Test
    void unknownOrUnservedModelsAreNotQueued() {
        ScheduleRequest other = new ScheduleRequest("x", "gpt-9", "a", 0, 10, 1, null, null, false, null);
        assertThat(admission.offer(other, SATURATED)).as("the cycle answers 404").isInstanceOf(Verdict.Admit.class);
    }
}
