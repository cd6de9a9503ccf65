package dev.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;

import dev.switchboard.testkit.LocalSuite;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Client -> gateway -> scheduler -> adapter -> engine, through real HTTP, driven by the official
 * OpenAI Java SDK exactly as a user's application would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatCompletionEndToEndTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String API_KEY = "sk-switchboard-e2e";
    /** A tenant with a 200 tokens-per-minute quota. */
    private static final String TINY_QUOTA_KEY = "sk-switchboard-tiny";

    private LocalSuite suite;
    private OpenAIClient openai;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void startSuite() throws Exception {
        Path root = Path.of(System.getProperty("switchboard.root", "..")).toAbsolutePath().normalize();
        suite = LocalSuite.builder(root, root.resolve("e2e-tests/target/e2e-logs"))
                .engine("prefill-1", "prefill").engine("decode-1", "decode").engine("decode-2", "decode")
                .simEngineSetting("token-delay", "15ms").simEngineSetting("output-tokens", "8-24")
                .tenant("e2e-tenant", API_KEY, 0).tenant("tiny-quota", TINY_QUOTA_KEY, 200)
                .gatewaySetting("max-body-size", "64KB").gatewaySetting("idle-stream-timeout", "2s")
                .build()
                .start(Duration.ofSeconds(150));
        openai = OpenAIOkHttpClient.builder()
                .baseUrl(suite.gatewayUrl() + "/v1")
                .apiKey(API_KEY)
                .maxRetries(0)
                .build();
    }

    @AfterAll
    void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    private static ChatCompletionCreateParams.Builder chat(String question) {
        return ChatCompletionCreateParams.builder()
                .model(LocalSuite.MODEL)
                .addSystemMessage("You are a helpful assistant for a GPU cloud. Answer briefly.")
                .addUserMessage(question);
    }

    @Test
    void nonStreamingChatCompletionReturnsContentAndUsage() {
        ChatCompletion completion = openai.chat().completions().create(chat("What is a KV cache?").maxCompletionTokens(12).build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.completionTokens()).isBetween(1L, 12L);
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    }

    @Test
    void streamingChatCompletionStreamsContentAndEndsWithUsage() {
        ChatCompletionCreateParams params = chat("Explain prefill and decode.")
                .maxCompletionTokens(20)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        StringBuilder content = new StringBuilder();
        int contentChunks = 0;
        CompletionUsage usage = null;
        String finishReason = null;
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    String delta = choice.delta().content().orElse("");
                    if (!delta.isEmpty()) {
                        content.append(delta);
                        contentChunks++;
                    }
                    if (choice.finishReason().isPresent()) {
                        finishReason = choice.finishReason().get().asString();
                    }
                }
                if (chunk.usage().isPresent()) {
                    usage = chunk.usage().get();
                }
            }
        }
        assertThat(content).isNotEmpty();
        assertThat(finishReason).isIn("stop", "length");
        assertThat(usage).as("final usage chunk").isNotNull();
        assertThat(usage.completionTokens()).isEqualTo(contentChunks);
        assertThat(usage.promptTokens()).isPositive();
    }

    @Test
    void legacyCompletionsEndpointWorks() {
        Completion completion = openai.completions().create(CompletionCreateParams.builder()
                .model(LocalSuite.MODEL).prompt("The capital of France is").maxTokens(5).build());
        assertThat(completion.choices().get(0).text()).isNotEmpty();
        assertThat(completion.usage().orElseThrow().completionTokens()).isBetween(1L, 5L);
    }

    @Test
    void unknownModelGivesOpenAiNotFound() {
        assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model("no-such-model").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("no-such-model");
                });
    }

    @Test
    void malformedJsonGivesOpenAiBadRequest() throws Exception {
        HttpResponse<String> response = suite.post(suite.gatewayUrl() + "/v1/chat/completions",
                "{\"model\": \"llama-3-8b\", \"messages\": [", Map.of());
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asString()).contains("could not parse the JSON body");
    }

    @Test
    void invalidFieldGivesOpenAiBadRequestNamingTheField() throws Exception {
        HttpResponse<String> response = suite.post(suite.gatewayUrl() + "/v1/chat/completions",
                "{\"model\": \"llama-3-8b\", \"max_tokens\": \"many\", \"messages\": [{\"role\":\"user\",\"content\":\"hi\"}]}",
                Map.of());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/param").asString()).isEqualTo("max_tokens");
    }

    @Test
    void bodyOverTheLimitGivesOpenAiPayloadTooLarge() throws Exception {
        String huge = "x".repeat(70 * 1024);
        HttpResponse<String> response = suite.post(suite.gatewayUrl() + "/v1/chat/completions",
                "{\"model\": \"llama-3-8b\", \"messages\": [{\"role\":\"user\",\"content\":\"" + huge + "\"}]}", Map.of());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).at("/error/code").asString()).isEqualTo("request_too_large");
    }

    @Test
    void clientSentSwitchboardHeadersNeverReachTheEngine() throws Exception {
        String marker = "e2e-" + System.nanoTime();
        ChatCompletion completion = openai.chat().completions().create(chat("header check " + marker)
                .maxCompletionTokens(3)
                .putAdditionalHeader("x-switchboard-prefill", "10.1.2.3:9999")
                .putAdditionalHeader("X-Switchboard-Lease", "forged-lease")
                .putAdditionalHeader("x-switchboard-endpoint", "prefill-1")
                .build());
        assertThat(completion.choices()).isNotEmpty();

        List<Map<String, Object>> posts = engineRequests().values().stream().flatMap(List::stream)
                .filter(r -> "POST".equals(r.get("method")))
                .toList();
        assertThat(posts).isNotEmpty();
        for (Map<String, Object> request : posts) {
            @SuppressWarnings("unchecked")
            Map<String, Object> headers = (Map<String, Object>) request.get("headers");
            assertThat(headers.keySet()).noneMatch(h -> h.startsWith("x-switchboard-"));
            assertThat(headers).containsKey("x-request-id");
        }
    }

    @Test
    void concurrentRequestsSpreadOverDecodeEnginesAndLeasesClose() throws Exception {
        Map<String, Long> before = postsPerEngine();
        // in flight together, so least-outstanding must put them on different decode engines
        List<CompletableFuture<ChatCompletion>> inFlight = java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() ->
                        openai.chat().completions().create(chat("spread " + i).maxCompletionTokens(16).build())))
                .toList();
        inFlight.forEach(CompletableFuture::join);
        Map<String, Long> after = postsPerEngine();
        assertThat(after.get("prefill-1") - before.get("prefill-1")).as("prefill engine gets no client requests").isZero();
        assertThat(after.get("decode-1") - before.get("decode-1")).as("decode-1").isPositive();
        assertThat(after.get("decode-2") - before.get("decode-2")).as("decode-2").isPositive();

        // completions reach the scheduler asynchronously, in batches
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode endpoints;
        do {
            Thread.sleep(100);
            endpoints = JSON.readTree(suite.get(suite.schedulerUrl() + "/admin/endpoints").body());
        } while (sumOutstanding(endpoints) > 0 && System.nanoTime() < deadline);
        assertThat(sumOutstanding(endpoints)).as("open leases after all requests finished").isZero();
    }

    private Map<String, Long> postsPerEngine() throws Exception {
        Map<String, Long> counts = new java.util.HashMap<>();
        engineRequests().forEach((engine, requests) ->
                counts.put(engine, requests.stream().filter(r -> "POST".equals(r.get("method"))).count()));
        return counts;
    }

    /** Every request each engine received, as recorded by the simulator ({@code GET /sim/requests}). */
    private Map<String, List<Map<String, Object>>> engineRequests() throws Exception {
        Map<String, List<Map<String, Object>>> byEngine = new java.util.LinkedHashMap<>();
        for (LocalSuite.Engine engine : suite.engines()) {
            String body = suite.get(engine.url() + "/sim/requests").body();
            byEngine.put(engine.id(), JSON.readValue(body, JSON.getTypeFactory().constructCollectionType(List.class, Map.class)));
        }
        return byEngine;
    }

    private static int sumOutstanding(JsonNode endpoints) {
        int sum = 0;
        for (JsonNode e : endpoints) {
            sum += e.get("outstanding").asInt();
        }
        return sum;
    }

    @Test
    void modelsListsTheServedModel() throws Exception {
        assertThat(openai.models().list().data()).anyMatch(m -> m.id().equals(LocalSuite.MODEL));
    }

    @Test
    void wrongOrMissingApiKeyGivesOpenAi401() throws Exception {
        OpenAIClient stranger = OpenAIOkHttpClient.builder().baseUrl(suite.gatewayUrl() + "/v1").apiKey("sk-not-a-tenant")
                .maxRetries(0).build();
        assertThatThrownBy(() -> stranger.chat().completions().create(chat("hi").build()))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> assertThat(e.getMessage()).contains("Incorrect API key"));
        HttpResponse<String> noKey = suite.post(suite.gatewayUrl() + "/v1/chat/completions",
                "{\"model\":\"llama-3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                Map.of("Authorization", ""));
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(noKey.body()).at("/error/code").asString()).isEqualTo("invalid_api_key");
    }

    @Test
    void leasesCarryEngineUsageAndTheGatewayMeasuresTtft() throws Exception {
        String manual = "Section " + "The cluster runs vLLM engines behind Switchboard. ".repeat(12);
        for (int i = 0; i < 3; i++) {
            openai.chat().completions().create(ChatCompletionCreateParams.builder().model(LocalSuite.MODEL)
                    .addSystemMessage(manual).addUserMessage("question " + i).maxCompletionTokens(4).build());
        }
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(chat("stream usage")
                .maxCompletionTokens(4).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> { });
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String scheduler;
        do {
            Thread.sleep(100);
            scheduler = suite.get(suite.schedulerUrl() + "/actuator/prometheus").body();
        } while (!scheduler.contains("switchboard_scheduler_lease_completions_total") && System.nanoTime() < deadline);
        assertThat(scheduler).contains("outcome=\"success\"");
        // the shared manual is cached after the first request: completions carry the engine's cached tokens
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        double actualCached;
        do {
            Thread.sleep(100);
            actualCached = suite.get(suite.schedulerUrl() + "/actuator/prometheus").body().lines()
                    .filter(l -> l.startsWith("switchboard_scheduler_prefix_actual_tokens_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } while (actualCached == 0 && System.nanoTime() < deadline);
        assertThat(actualCached).as("engine-reported cached tokens reached the scheduler").isPositive();
        String gateway = suite.get(suite.gatewayUrl() + "/actuator/prometheus").body();
        assertThat(gateway).contains("switchboard_gateway_ttft_seconds_count").contains("switchboard_gateway_itl_seconds_count");
        assertThat(gateway.lines()).anyMatch(l -> l.startsWith("switchboard_gateway_tokens_total{")
                && l.contains("kind=\"completion\"") && l.contains("tenant=\"e2e-tenant\"") && !l.endsWith(" 0.0"));
    }

    @Test
    void overQuotaGivesOpenAi429WithRetryAfter() throws Exception {
        OpenAIClient tiny = OpenAIOkHttpClient.builder().baseUrl(suite.gatewayUrl() + "/v1").apiKey(TINY_QUOTA_KEY)
                .maxRetries(0).build();
        assertThat(tiny.chat().completions().create(chat("fits").maxCompletionTokens(20).build()).choices()).isNotEmpty();
        HttpResponse<String> over = suite.post(suite.gatewayUrl() + "/v1/chat/completions",
                "{\"model\":\"llama-3-8b\",\"max_tokens\":190,\"messages\":[{\"role\":\"user\",\"content\":\"too much\"}]}",
                Map.of("Authorization", "Bearer " + TINY_QUOTA_KEY));
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
        assertThat(JSON.readTree(over.body()).at("/error/code").asString()).isEqualTo("quota_exceeded");
        assertThatThrownBy(() -> tiny.chat().completions().create(chat("again").maxCompletionTokens(190).build()))
                .isInstanceOf(com.openai.errors.RateLimitException.class);
    }

    /** A streamed answer read line by line on its own thread, as a client would. */
    private static final class Streamed {
        final List<String> data = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        final java.util.concurrent.CountDownLatch firstContent = new java.util.concurrent.CountDownLatch(1);
        final CompletableFuture<String> endpoint = new CompletableFuture<>();
        final CompletableFuture<Void> done;

        Streamed(LocalSuite suite, String question) {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(suite.gatewayUrl() + "/v1/chat/completions"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + API_KEY)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"" + LocalSuite.MODEL
                            + "\",\"stream\":true,\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\""
                            + question + "\"}]}"))
                    .build();
            done = java.net.http.HttpClient.newHttpClient()
                    .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                    .thenAccept(response -> {
                        endpoint.complete(response.headers().firstValue("x-switchboard-endpoint").orElse("?"));
                        response.body().filter(line -> line.startsWith("data: ")).forEach(line -> {
                            data.add(line.substring(6));
                            if (line.contains("\"content\"")) {
                                firstContent.countDown();
                            }
                        });
                    });
        }

        JsonNode last(int fromEnd) {
            return JSON.readTree(data.get(data.size() - 1 - fromEnd));
        }
    }

    private void faults(String engine, String json) throws Exception {
        HttpResponse<String> r = suite.post("http://127.0.0.1:" + suite.simPort() + "/sim/engines/" + engine + "/faults", json, Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** An engine that dies mid-answer: its clients get a final error event, every other stream goes on. */
    @Test
    @Order(Integer.MAX_VALUE - 2)
    void engineKilledMidStreamEndsItsStreamsWithAnErrorEventAndSparesTheOthers() throws Exception {
        List<String> decoders = List.of("decode-1", "decode-2");
        for (String engine : decoders) {
            faults(engine, "{\"slowdown\":20}"); // 300 ms a token: every stream is mid-answer at the crash
        }
        String victim = null;
        try {
            List<Streamed> streams = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                streams.add(new Streamed(suite, "crash " + i));
            }
            for (Streamed s : streams) {
                assertThat(s.firstContent.await(20, TimeUnit.SECONDS)).as("every stream started").isTrue();
            }
            victim = streams.get(0).endpoint.get();
            String crashed = victim;
            faults(victim, "{\"crash\":true}");
            for (Streamed s : streams) {
                s.done.get(30, TimeUnit.SECONDS); // a clean end for everyone: no broken connection
            }

            List<Streamed> cut = streams.stream().filter(s -> s.endpoint.join().equals(crashed)).toList();
            List<Streamed> spared = streams.stream().filter(s -> !s.endpoint.join().equals(crashed)).toList();
            assertThat(spared).as("least outstanding spread 6 streams over both decode engines").isNotEmpty();
            for (Streamed s : cut) {
                assertThat(s.data.get(s.data.size() - 1)).isEqualTo("[DONE]");
                assertThat(s.last(1).at("/error/code").asString()).isEqualTo("upstream_stream_failed");
                assertThat(s.last(1).at("/error/type").asString()).isEqualTo("server_error");
            }
            for (Streamed s : spared) {
                assertThat(s.data).noneMatch(d -> d.contains("\"error\""));
                assertThat(s.data.get(s.data.size() - 1)).isEqualTo("[DONE]");
                assertThat(s.data).anyMatch(d -> d.contains("\"finish_reason\":\"stop\"") || d.contains("\"finish_reason\":\"length\""));
            }
        } finally {
            if (victim != null) {
                faults(victim, "{\"crash\":false}");
            }
            for (String engine : decoders) {
                faults(engine, "{\"slowdown\":1}");
            }
        }
        awaitHealthyDecoders();
    }

    /** An engine that stops sending mid-answer: after the idle-stream timeout the client gets a final error event. */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void aStreamThatGoesQuietIsEndedWithAnIdleTimeoutEvent() throws Exception {
        List<String> decoders = List.of("decode-1", "decode-2");
        for (String engine : decoders) {
            faults(engine, "{\"slowdown\":20}");
        }
        String hung = null;
        try {
            Streamed s = new Streamed(suite, "go quiet");
            assertThat(s.firstContent.await(20, TimeUnit.SECONDS)).isTrue();
            hung = s.endpoint.get();
            long abortsBefore = finishedAborts(hung);
            faults(hung, "{\"hang\":true}");
            long hungAt = System.nanoTime();
            s.done.get(20, TimeUnit.SECONDS);
            long endedAfterMs = (System.nanoTime() - hungAt) / 1_000_000;

            assertThat(s.data.get(s.data.size() - 1)).as(String.join("\n", s.data)).isEqualTo("[DONE]");
            assertThat(s.last(1).at("/error/code").asString()).isEqualTo("upstream_idle_timeout");
            assertThat(endedAfterMs).as("ended by the 2 s idle timeout, not before").isBetween(1_500L, 10_000L);
            faults(hung, "{\"hang\":false}");
            // the gateway gave up on the engine request: the engine sees it abandoned, no leg left running
            String engine = hung;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (finishedAborts(engine) == abortsBefore && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(finishedAborts(engine)).isGreaterThan(abortsBefore);
        } finally {
            if (hung != null) {
                faults(hung, "{\"hang\":false}");
            }
            for (String engine : decoders) {
                faults(engine, "{\"slowdown\":1}");
            }
        }
    }

    private long finishedAborts(String engine) throws Exception {
        for (JsonNode e : JSON.readTree(suite.get("http://127.0.0.1:" + suite.simPort() + "/sim/engines").body())) {
            if (e.get("engine").asString().equals(engine)) {
                return e.at("/core/finishedAbort").asLong();
            }
        }
        throw new AssertionError("no engine " + engine);
    }

    /** Waits (bounded) until the scheduler lists both decode engines as healthy again. */
    private void awaitHealthyDecoders() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long healthy = 0;
        while (healthy < 2 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            healthy = 0;
            for (JsonNode e : JSON.readTree(suite.get(suite.schedulerUrl() + "/admin/endpoints").body())) {
                if ("decode".equals(e.path("role").asString()) && "ready".equals(e.path("state").asString())
                        && e.path("accepting").asBoolean()) {
                    healthy++;
                }
            }
        }
        assertThat(healthy).as("decode engines ready again").isEqualTo(2);
    }

    /** Last: it kills the scheduler. Healthy engines must keep serving through the gateway's local fallback. */
    @Test
    @Order(Integer.MAX_VALUE)
    void schedulerKilledMidLoadCausesNoFailedRequests() throws Exception {
        List<CompletableFuture<ChatCompletion>> load = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int n = i;
            load.add(CompletableFuture.supplyAsync(() ->
                    openai.chat().completions().create(chat("during failover " + n).maxCompletionTokens(6).build())));
            if (i == 4) {
                suite.kill("scheduler-service");
            }
            Thread.sleep(50);
        }
        for (CompletableFuture<ChatCompletion> request : load) {
            assertThat(request.join().choices().get(0).message().content()).isPresent();
        }
        ChatCompletion after = openai.chat().completions().create(chat("after the scheduler died").maxCompletionTokens(3).build());
        assertThat(after.choices()).isNotEmpty();
        assertThat(suite.get(suite.gatewayUrl() + "/actuator/prometheus").body())
                .contains("switchboard_gateway_scheduler_fallbacks_total");
    }
}
