package dev.switchboard.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.wire.ScheduleDecision;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.datalayer.EndpointReports;
import dev.switchboard.scheduler.datalayer.EngineDirectory;
import dev.switchboard.scheduler.datalayer.PrefixIndex;
import dev.switchboard.scheduler.service.SchedulerService;
import io.micrometer.core.instrument.MeterRegistry;

/** The scheduler's HTTP API in one shared Spring context, with two static engines and an admin token. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.scheduler.admin-token=s3cret",
        "switchboard.scheduler.admin-open=false",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[0].uri=http://127.0.0.1:1",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[0].metadata.[switchboard.endpoint-id]=d1",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[0].metadata.[switchboard.role]=decode",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[0].metadata.[switchboard.engine-kind]=vllm",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[0].metadata.[switchboard.model]=llama-3-8b",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[0].metadata.[switchboard.engine-url]=http://127.0.0.1:2",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[1].uri=http://127.0.0.1:3",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[1].metadata.[switchboard.endpoint-id]=d2",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[1].metadata.[switchboard.role]=decode",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[1].metadata.[switchboard.engine-kind]=vllm",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[1].metadata.[switchboard.model]=llama-3-8b",
        "spring.cloud.discovery.client.simple.instances.switchboard-engines[1].metadata.[switchboard.engine-url]=http://127.0.0.1:4"})
@AutoConfigureWebTestClient
@Timeout(60)
class SchedulerApiTest {
    @Autowired
    WebTestClient http;
    @Autowired
    EngineDirectory directory;
    @Autowired
    EndpointReports reports;
    @Autowired
    PrefixIndex prefixIndex;
    @Autowired
    SchedulerService scheduler;
    @Autowired
    MeterRegistry meters;

    private static ScheduleRequest request(String id) {
        return new ScheduleRequest(id, "llama-3-8b", "t", 0, 100, 10, new long[] {1, 2, 3}, "", true, List.of());
    }

    private void awaitDiscovery() {
        directory.refresh().block();
        assertThat(directory.current().endpoints()).hasSize(2);
    }

    @Test
    void schedulesAndExplainsOnRequest() {
        awaitDiscovery();
        ScheduleDecision plain = http.post().uri("/v1/schedule").bodyValue(request("a")).exchange()
                .expectStatus().isOk().expectBody(ScheduleDecision.class).returnResult().getResponseBody();
        assertThat(plain.decode().id()).isIn("d1", "d2");
        assertThat(plain.candidates()).isEmpty();

        ScheduleDecision explained = http.post().uri("/v1/schedule?explain=true").bodyValue(request("b")).exchange()
                .expectStatus().isOk().expectBody(ScheduleDecision.class).returnResult().getResponseBody();
        assertThat(explained.candidates()).extracting(c -> c.endpointId()).contains("d1", "d2");
        assertThat(explained.candidates()).filteredOn(c -> c.picked()).hasSize(1);
        assertThat(explained.candidates()).filteredOn(c -> c.picked()).extracting(c -> c.endpointId())
                .containsExactly(explained.decode().id());
    }

    @Test
    void theEndpointThatGotAPromptIsPredictedToHaveItCached() {
        awaitDiscovery();
        long[] hashes = java.util.stream.LongStream.range(100, 400).toArray();   // 300 blocks = 4800 tokens
        ScheduleRequest first = new ScheduleRequest("p1", "llama-3-8b", "t", 0, 4800, 10, hashes, "", true, List.of());
        ScheduleDecision d1 = http.post().uri("/v1/schedule").bodyValue(first).exchange()
                .expectStatus().isOk().expectBody(ScheduleDecision.class).returnResult().getResponseBody();
        assertThat(d1.predictedCachedTokens()).isZero();
        // the decision teaches the index once its answer is written, without waiting for another decision
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (prefixIndex.matchedBlocks(d1.decode().id(), hashes) < 300 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(prefixIndex.matchedBlocks(d1.decode().id(), hashes)).isEqualTo(300);
        ScheduleRequest again = new ScheduleRequest("p2", "llama-3-8b", "t", 0, 4800, 10, hashes, "", true, List.of());
        ScheduleDecision d2 = http.post().uri("/v1/schedule?explain=true").bodyValue(again).exchange()
                .expectStatus().isOk().expectBody(ScheduleDecision.class).returnResult().getResponseBody();
        assertThat(d2.candidates()).filteredOn(c -> c.endpointId().equals(d1.decode().id()))
                .allSatisfy(c -> assertThat(c.scores().get("prefix")).isEqualTo(1.0));
        assertThat(d2.decode().id()).as("a 4800-token cached prefix outweighs one extra request in flight")
                .isEqualTo(d1.decode().id());
        assertThat(d2.predictedCachedTokens()).isEqualTo(4800);
    }

    @Test
    void theIndexIsSizedByTheCapacityTheAdapterReportsWhenDiscoveryLacksIt() {
        awaitDiscovery();
        // static instances carry no KV capacity: the default until the adapter describes its engine
        assertThat(prefixIndex.capacity("d2")).isEqualTo(PrefixIndex.DEFAULT_CAPACITY_BLOCKS);
        EngineDescriptor d = directory.current().endpoints().stream().filter(e -> e.id().equals("d2"))
                .findFirst().orElseThrow().descriptor();
        // 432,640 tokens in blocks of 16: what engine-sim's H100 engine reports
        reports.describe(new EngineDescriptor(d.endpointId(), d.role(), d.engineKind(), d.model(), d.loras(), d.engineUrl(),
                d.gpuType(), d.gpuCount(), d.gpuMemoryGib(), 16, 432_640, d.kvBytesPerToken(), d.maxModelLen(),
                d.pdTransfer(), d.bootstrapPort(), d.node(), d.zone()));
        assertThat(prefixIndex.capacity("d2")).isEqualTo(27_040);
        assertThat(prefixIndex.capacity("d1")).isEqualTo(PrefixIndex.DEFAULT_CAPACITY_BLOCKS);
    }

    @Test
    void unknownModelIs404InOpenAiFormat() {
        awaitDiscovery();
        http.post().uri("/v1/schedule")
                .bodyValue(new ScheduleRequest("x", "gpt-9", "t", 0, 1, 1, null, null, false, null)).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("model_not_found");
    }

    /** Requests a gateway should never send still get an OpenAI error with the right status, never a crash. */
    @Test
    void badScheduleCallsGetOpenAiErrors() {
        awaitDiscovery();
        String valid = "{\"requestId\":\"r\",\"model\":\"llama-3-8b\",\"promptTokens\":10,\"maxTokens\":5}";
        record Case(String method, String path, String contentType, String body, int status, String code, String message) { }
        List<Case> cases = List.of(
                new Case("POST", "/v1/schedule", "application/json", "{\"requestId\":", 400, "invalid_schedule_request", null),
                new Case("POST", "/v1/schedule", "application/json", "[1,2]", 400, "invalid_schedule_request", null),
                new Case("POST", "/v1/schedule", "application/json", "", 400, "invalid_schedule_request", "no body"),
                new Case("POST", "/v1/schedule", "application/json", "{\"requestId\":\"r\",\"model\":\" \"}", 400,
                        "invalid_schedule_request", "model must not be blank"),
                new Case("POST", "/v1/schedule", "application/json",
                        "{\"requestId\":\"r\",\"model\":\"llama-3-8b\",\"promptTokens\":-1}", 400, "invalid_schedule_request",
                        "promptTokens must be >= 0"),
                new Case("POST", "/v1/schedule", "text/plain", valid, 415, "unsupported_media_type", "text/plain"),
                new Case("GET", "/v1/schedule", null, null, 405, "method_not_allowed", null),
                new Case("POST", "/v1/leases/complete", "application/json", "{\"leaseId\":\"x\"}", 400,
                        "invalid_schedule_request", null),
                new Case("PUT", "/v1/leases/complete", "application/json", "[]", 405, "method_not_allowed", null),
                new Case("POST", "/v1/schedule", "application/json", " ".repeat(GatewayRoutes.MAX_BODY_BYTES + 1), 413,
                        "request_too_large", "32 MB"));
        for (Case c : cases) {
            var spec = http.method(org.springframework.http.HttpMethod.valueOf(c.method())).uri(c.path());
            if (c.contentType() != null) {
                spec.contentType(MediaType.parseMediaType(c.contentType()));
            }
            var response = (c.body() == null ? spec : spec.bodyValue(c.body())).exchange()
                    .expectStatus().isEqualTo(c.status());
            if (c.status() == 405) {
                response.expectHeader().valueEquals("Allow", "POST");
            }
            response.expectBody().jsonPath("$.error.code").isEqualTo(c.code())
                    .jsonPath("$.error.type").isEqualTo("invalid_request_error")
                    .jsonPath("$.error.message").value(m -> {
                        if (c.message() != null) {
                            assertThat((String) m).as(c.toString()).contains(c.message());
                        }
                    });
        }
        // a body without a declared length (chunked) is refused as it passes the bound, too
        byte[] chunk = new byte[1024 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        var factory = new org.springframework.core.io.buffer.DefaultDataBufferFactory();
        http.post().uri("/v1/schedule").contentType(MediaType.APPLICATION_JSON)
                .body(reactor.core.publisher.Flux.range(0, 33).map(i -> factory.wrap(chunk)),
                        org.springframework.core.io.buffer.DataBuffer.class)
                .exchange().expectStatus().isEqualTo(413).expectBody().jsonPath("$.error.code").isEqualTo("request_too_large");
        // and the valid call still works with a charset in its content type
        http.post().uri("/v1/schedule").contentType(MediaType.parseMediaType("application/json;charset=UTF-8"))
                .bodyValue(valid).exchange().expectStatus().isOk().expectBody().jsonPath("$.leaseId").isNotEmpty();
    }

    @Test
    void leasesCloseInBatchesAndUnknownLeasesAreCounted() {
        awaitDiscovery();
        ScheduleDecision d = http.post().uri("/v1/schedule").bodyValue(request("lease-1")).exchange()
                .expectStatus().isOk().expectBody(ScheduleDecision.class).returnResult().getResponseBody();
        String batch = "[{\"leaseId\":\"" + d.leaseId() + "\",\"outcome\":\"SUCCESS\",\"httpStatus\":200,\"promptTokens\":100,"
                + "\"cachedTokens\":0,\"completionTokens\":10,\"ttftMillis\":3,\"durationMillis\":9},"
                + "{\"leaseId\":\"never-issued\",\"outcome\":\"FAILED\",\"httpStatus\":502,\"promptTokens\":-1,"
                + "\"cachedTokens\":-1,\"completionTokens\":-1,\"ttftMillis\":-1,\"durationMillis\":1}]";
        int openBefore = scheduler.openLeases();
        double unknownBefore = meters.counter("switchboard_scheduler_lease_completions_unknown").count();
        http.post().uri("/v1/leases/complete").contentType(MediaType.APPLICATION_JSON).bodyValue(batch).exchange()
                .expectStatus().isAccepted();
        assertThat(scheduler.openLeases()).isEqualTo(openBefore - 1);
        assertThat(meters.counter("switchboard_scheduler_lease_completions_unknown").count()).isEqualTo(unknownBefore + 1);
    }

    @Test
    void adminApiRequiresTheToken() {
        http.get().uri("/admin/endpoints").exchange().expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.error.type").isEqualTo("authentication_error");
        http.get().uri("/admin/endpoints").header("Authorization", "Bearer wrong").exchange().expectStatus().isUnauthorized();
        http.get().uri("/admin/endpoints").header("Authorization", "Bearer s3cret").exchange().expectStatus().isOk();
    }

    @Test
    void anInvalidPolicyIsRejectedAndTheLastGoodOneStays() {
        String before = http.get().uri("/admin/policy").header("Authorization", "Bearer s3cret").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(before).contains("switchboard-default");

        http.put().uri("/admin/policy").header("Authorization", "Bearer s3cret").contentType(MediaType.valueOf("application/yaml"))
                .bodyValue("plugins: [ { name: x, type: magic-scorer } ]\nprofiles: [ { name: default, plugins: [ { ref: x } ] } ]")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.message").value(m -> assertThat((String) m).contains("magic-scorer"));
        http.get().uri("/admin/policy").header("Authorization", "Bearer s3cret").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.name").isEqualTo("switchboard-default")
                .jsonPath("$.lastError.message").value(m -> assertThat((String) m).contains("not registered"));

        http.put().uri("/admin/policy").header("Authorization", "Bearer s3cret").contentType(MediaType.valueOf("application/yaml"))
                .bodyValue("""
                        name: lr-only
                        plugins: [ { name: lr, type: least-request-scorer } ]
                        profiles: [ { name: default, plugins: [ { ref: lr } ] } ]
                        """)
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("lr-only")
                .jsonPath("$.applied.origin").isEqualTo("admin API")
                .jsonPath("$.applied.atMillis").value(t -> assertThat(((Number) t).longValue()).isPositive());
        // restore for the other tests sharing this context
        http.put().uri("/admin/policy").header("Authorization", "Bearer s3cret").contentType(MediaType.valueOf("application/yaml"))
                .bodyValue(dev.switchboard.scheduler.service.PolicyStore.preset("switchboard-default")).exchange().expectStatus().isOk();
    }

    @Test
    void drainedEndpointsGetNoRequests() {
        awaitDiscovery();
        http.post().uri("/admin/endpoints/d1/drain").header("Authorization", "Bearer s3cret").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.accepting").isEqualTo(false);
        for (int i = 0; i < 5; i++) {
            ScheduleDecision d = http.post().uri("/v1/schedule").bodyValue(request("drain-" + i)).exchange()
                    .expectStatus().isOk().expectBody(ScheduleDecision.class).returnResult().getResponseBody();
            assertThat(d.decode().id()).isEqualTo("d2");
        }
        http.post().uri("/admin/endpoints/d1/undrain").header("Authorization", "Bearer s3cret").exchange().expectStatus().isOk();
        http.post().uri("/admin/endpoints/nope/drain").header("Authorization", "Bearer s3cret").exchange().expectStatus().isNotFound();
    }
}
