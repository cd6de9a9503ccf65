package dev.switchboard.scheduler.datalayer;

import static dev.switchboard.scheduler.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.sse.SseFramer;
import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.KvEventBatch;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.EndpointState;
import dev.switchboard.contract.wire.LoadReport;
import dev.switchboard.scheduler.SchedulerProperties;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.support.json.BlockHashJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.json.JsonMapper;

class AdapterStreamsTest {
    /** The scheduler's mapper as Boot builds it (BlockHashJsonAutoConfiguration adds the module). */
    private final JsonMapper json = JsonMapper.builder().addModule(BlockHashJson.module()).build();
    /** How an adapter writes events: block hashes as one base64 string. */
    private final JsonMapper adapterJson = JsonMapper.builder().addModule(BlockHashJson.module()).build();
    /** How adapters before the string encoding wrote events: block hashes as a number array. */
    private final JsonMapper olderAdapterJson = JsonMapper.builder().build();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final SchedulerProperties properties = new SchedulerProperties(java.time.Duration.ofSeconds(1),
            java.time.Duration.ofMinutes(10), java.time.Duration.ofSeconds(2), 16, 30000, "switchboard-default", "",
            java.time.Duration.ofSeconds(2), "", true, 16, 100, "", 3, 0.95, 8192, 0, java.time.Duration.ofSeconds(30),
            java.time.Duration.ofSeconds(10), 256);
    private final EndpointReports reports = new EndpointReports(Clock.systemUTC(), properties);
    private final PrefixIndex index = new PrefixIndex();
    private final AdapterStreams streams = new AdapterStreams(null, reports, index, json,
            org.springframework.web.reactive.function.client.WebClient.builder(), meters);

    private String event(String type, Object data) {
        return sse(type, adapterJson.writeValueAsString(data));
    }

    /** One event as an adapter writes it on the wire. */
    private static String sse(String type, String data) {
        return "event:" + type + "\ndata:" + data + "\n\n";
    }

    /** Feeds wire text through the stream's framing, as a connection would, and applies the events. */
    private void deliver(String endpointId, String wire) {
        byte[] bytes = wire.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        new SseFramer(1 << 20, (type, data, length) -> streams.handle(endpointId, type, data, length))
                .feed(java.nio.ByteBuffer.wrap(bytes));
    }

    private EndpointView view() {
        return reports.apply(new ClusterSnapshot(1, List.of(endpoint("d1").build()))).endpoints().get(0);
    }

    @Test
    void theAdaptersDescriptorFillsTheEngineFactsDiscoveryLacks() {
        // static discovery knows the endpoint but not its context length (0); the adapter read it from the engine
        EndpointView discovered = endpoint("d1").maxModelLen(0).build();
        EndpointView reportedView = endpoint("d1").maxModelLen(32_768).build();
        deliver("d1", event("state", new EndpointState(reportedView.descriptor(),
                new LifecycleEvent("d1", LifecycleEvent.State.READY, 1, "started"), null)));

        EndpointView applied = reports.apply(new ClusterSnapshot(1, List.of(discovered))).endpoints().get(0);
        assertThat(applied.descriptor().maxModelLen()).isEqualTo(32_768);
        assertThat(applied.host()).isEqualTo(discovered.host());
        // what discovery does know is kept
        EndpointView known = endpoint("d1").maxModelLen(8_192).build();
        assertThat(reports.apply(new ClusterSnapshot(2, List.of(known))).endpoints().get(0).descriptor().maxModelLen())
                .isEqualTo(8_192);
    }

    @Test
    void loadAndLifecycleEventsReachTheSnapshot() {
        deliver("d1", event("load", new LoadReport("d1", 1, 7, 2, 0.4, 0.5, 100, 10, 900, true, false)));
        assertThat(view().running()).isEqualTo(7);
        assertThat(view().waiting()).isEqualTo(2);
        assertThat(view().accepting()).isTrue();

        deliver("d1", event("lifecycle", new LifecycleEvent("d1", LifecycleEvent.State.UNHEALTHY, 2, "503")));
        assertThat(view().accepting()).isFalse();
        assertThat(view().running()).as("load kept across lifecycle changes").isEqualTo(7);
    }

    @Test
    void switchboardHashKvEventsFeedThePrefixIndexAndClearsResetIt() {
        index.track("d1", 1000);
        long[] hashes = PromptBlocks.hash("m", null, "x".repeat(64 * 5));
        deliver("d1", event("kv", new KvEventBatch("d1", 0, 1, List.of(
                new KvEvent(KvEvent.Kind.STORED, hashes, null, 16, "GPU", KvEvent.HashSpace.SWITCHBOARD),
                new KvEvent(KvEvent.Kind.STORED, new long[] {42}, null, 16, "GPU", KvEvent.HashSpace.ENGINE)))));
        assertThat(index.matchedBlocks("d1", hashes)).isEqualTo(5);
        assertThat(index.size("d1")).as("engine-space hashes are not indexed").isEqualTo(5);

        deliver("d1", event("kv", new KvEventBatch("d1", 1, 2, List.of(KvEvent.cleared()))));
        assertThat(index.matchedBlocks("d1", hashes)).isZero();
    }

    @Test
    void aGapInKvEventSequenceResetsTheEndpointsIndex() {
        index.track("d1", 1000);
        long[] hashes = PromptBlocks.hash("m", null, "y".repeat(64 * 3));
        KvEvent stored = new KvEvent(KvEvent.Kind.STORED, hashes, null, 16, "GPU", KvEvent.HashSpace.SWITCHBOARD);
        deliver("d1", event("kv", new KvEventBatch("d1", 7, 1, List.of(stored))));
        deliver("d1", event("kv", new KvEventBatch("d1", 8, 1, List.of())));
        assertThat(index.matchedBlocks("d1", hashes)).isEqualTo(3);
        deliver("d1", event("kv", new KvEventBatch("d1", 10, 1, List.of())));
        assertThat(index.matchedBlocks("d1", hashes)).as("batch 9 was lost").isZero();
    }

    @Test
    void aDroppedStreamMakesTheEndpointStaleUntilItIsHeardAgain() {
        deliver("d1", event("load", new LoadReport("d1", 1, 1, 0, 0.1, 0, 0, 0, 0, true, false)));
        assertThat(view().accepting()).isTrue();
        reports.disconnected("d1");
        assertThat(view().stale()).isTrue();
        deliver("d1", sse("heartbeat", ""));
        assertThat(view().stale()).isFalse();
    }

    @Test
    void malformedEventsAreIgnored() {
        deliver("d1", sse("load", "{not json"));
        deliver("d1", sse("heartbeat", ""));
        assertThat(view().load()).isNull();
    }

    @Test
    void kvEventsOfAdaptersThatSendNumberArraysAreStillRead() {
        index.track("d1", 1000);
        long[] hashes = PromptBlocks.hash("m", null, "z".repeat(64 * 4));
        String legacy = olderAdapterJson.writeValueAsString(new KvEventBatch("d1", 0, 1, List.of(
                new KvEvent(KvEvent.Kind.STORED, hashes, null, 16, "GPU", KvEvent.HashSpace.SWITCHBOARD))));
        assertThat(legacy).contains("\"blockHashes\":[");
        deliver("d1", sse("kv", legacy));
        assertThat(index.matchedBlocks("d1", hashes)).isEqualTo(4);
    }

    @Test
    void aKvEventWithMalformedBlockHashesIsCountedInvalidAndChangesNothing() {
        index.track("d1", 1000);
        deliver("d1", sse("kv", "{\"endpointId\":\"d1\",\"seq\":0,\"observedAtMillis\":1,\"events\":[{\"kind\":\"STORED\","
                + "\"blockHashes\":\"AAAAAAAAAA==\",\"parentBlockHash\":null,\"blockSize\":16,\"medium\":\"GPU\","
                + "\"hashSpace\":\"SWITCHBOARD\"}]}"));
        assertThat(index.size("d1")).isZero();
        assertThat(meters.counter("switchboard_scheduler_adapter_events_invalid", "endpoint", "d1").count()).isEqualTo(1);
    }
}
