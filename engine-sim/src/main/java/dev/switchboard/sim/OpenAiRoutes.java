package dev.switchboard.sim;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.prompt.PromptText;
import dev.switchboard.contract.prompt.Tokenizer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI-compatible surface of one simulated engine (both kinds serve it): response shapes, SSE
 * framing ({@code data: <json>\n\n}, optional usage chunk, {@code data: [DONE]}) and error envelopes as in
 * engine-protocols.md section 1; vLLM's P/D {@code kv_transfer_params} round trip (4.1); and vLLM's
 * {@code /tokenize} and {@code /reset_prefix_cache}.
 */
final class OpenAiRoutes {
    private static final Map<String, byte[]> JSON_STRINGS = new ConcurrentHashMap<>();

    private final SimEngine engine;
    private final Http http;
    private final Clock clock;
    private final DataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;

    OpenAiRoutes(SimEngine engine, Http http, Clock clock) {
        this.engine = engine;
        this.http = http;
        this.clock = clock;
    }

    RouterFunction<ServerResponse> routes() {
        RouterFunctions.Builder b = RouterFunctions.route()
                .POST("/v1/chat/completions", request -> complete(request, true))
                .POST("/v1/completions", request -> complete(request, false))
                .GET("/v1/models", this::models);
        if (engine.config().kind() == EngineKind.VLLM) {
            b.POST("/tokenize", this::tokenize).POST("/reset_prefix_cache", this::resetPrefixCache);
        }
        return b.build();
    }

    private Mono<ServerResponse> complete(ServerRequest request, boolean chat) {
        String requestId = request.headers().firstHeader("X-Request-Id");
        return Http.body(request)
                .flatMap(body -> {
                    GenerationRequest parsed = GenerationRequest.parse(http.mapper(), body, chat);
                    if (engine.faults().injectError()) {
                        throw EngineApiException.unavailable("The engine is overloaded (injected fault); retry later.");
                    }
                    SimEngine.Plan plan = engine.plan(parsed);
                    String base = requestId != null && !requestId.isBlank() ? requestId
                            : UUID.randomUUID().toString().replace("-", "");
                    String id = (chat ? "chatcmpl-" : "cmpl-") + base;
                    long created = clock.millis() / 1000;
                    return parsed.stream() ? stream(plan, id, created) : whole(plan, id, created);
                })
                .onErrorResume(EngineApiException.class, http::error);
    }

    private Mono<ServerResponse> whole(SimEngine.Plan plan, String id, long created) {
        GenerationRequest request = plan.request();
        StringBuilder text = new StringBuilder();
        return engine.run(plan)
                .doOnNext(signal -> {
                    if (signal instanceof SimEngine.Token t) {
                        text.append(t.text());
                    }
                })
                .last()
                .flatMap(signal -> {
                    SimEngine.Done done = (SimEngine.Done) signal;
                    Map<String, Object> choice = new LinkedHashMap<>();
                    choice.put("index", 0);
                    if (request.chat()) {
                        Map<String, Object> message = new LinkedHashMap<>();
                        message.put("role", "assistant");
                        message.put("content", text.toString());
                        choice.put("message", message);
                    } else {
                        choice.put("text", text.toString());
                    }
                    choice.put("logprobs", null);
                    choice.put("finish_reason", plan.finishReason());
                    choice.put("stop_reason", null);
                    Map<String, Object> body = envelope(id, request.chat() ? "chat.completion" : "text_completion", created,
                            request.model());
                    body.put("choices", List.of(choice));
                    body.put("usage", usage(plan, done));
                    if (plan.leg() == SimEngine.Leg.VLLM_PREFILL) {
                        body.put("kv_transfer_params", kvTransferParams(plan, done));
                    }
                    return http.json(HttpStatus.OK, body);
                })
                .onErrorResume(EngineApiException.class, http::error);
    }

    /** What a prefill leg hands to the decode leg (vLLM {@code NixlConnectorScheduler.request_finished}). */
    private Map<String, Object> kvTransferParams(SimEngine.Plan plan, SimEngine.Done done) {
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("do_remote_prefill", true);
        kv.put("do_remote_decode", false);
        kv.put("remote_block_ids", done.finished().kvBlockIds());
        kv.put("remote_engine_id", engine.config().id());
        kv.put("remote_request_id", plan.id());
        kv.put("remote_host", engine.bindHostForPd());
        kv.put("remote_port", engine.config().sideChannelPort());
        kv.put("tp_size", 1);
        return kv;
    }

    private Mono<ServerResponse> stream(SimEngine.Plan plan, String id, long created) {
        GenerationRequest request = plan.request();
        String object = request.chat() ? "chat.completion.chunk" : "text_completion";
        ChunkTemplate template = new ChunkTemplate(http, envelope(id, object, created, request.model()), request.chat(),
                plan.finishReason());
        List<byte[]> head = new ArrayList<>();
        if (request.chat()) {
            Map<String, Object> role = new LinkedHashMap<>();
            role.put("role", "assistant");
            role.put("content", "");
            head.add(http.sse(chunk(envelope(id, object, created, request.model()), true, role)));
        }
        Flux<byte[]> body = engine.run(plan)
                .concatMapIterable(signal -> {
                    if (signal instanceof SimEngine.Token t) {
                        return List.of(template.token(t.text(), t.last()));
                    }
                    SimEngine.Done done = (SimEngine.Done) signal;
                    if (!request.includeUsage()) {
                        return List.of(Http.DONE);
                    }
                    Map<String, Object> usageChunk = envelope(id, object, created, request.model());
                    usageChunk.put("choices", List.of());
                    usageChunk.put("usage", usage(plan, done));
                    return List.of(http.sse(usageChunk), Http.DONE);
                })
                // vLLM reports an error inside the stream, then [DONE]; a crash just breaks the connection
                .onErrorResume(EngineApiException.class, e -> Flux.just(http.sse(Http.errorBody(e)), Http.DONE));
        Flux<DataBuffer> frames = Flux.fromIterable(head).concatWith(body).map(buffers::wrap);
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .header("Cache-Control", "no-cache")
                .body(BodyInserters.fromDataBuffers(frames));
    }

    private static Map<String, Object> chunk(Map<String, Object> envelope, boolean chat, Object delta) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put(chat ? "delta" : "text", delta);
        choice.put("logprobs", null);
        choice.put("finish_reason", null);
        envelope.put("choices", List.of(choice));
        return envelope;
    }

    /**
     * Token chunks are the hot path (one per token per stream): their JSON is the same but for the token
     * text, so it is assembled from bytes prepared once per request instead of serialising a map per token.
     * The layout is exactly what the map would serialise to.
     */
    private static final class ChunkTemplate {
        private final Http http;
        private final byte[] prefix;
        private final byte[] suffix;
        private final byte[] lastSuffix;

        ChunkTemplate(Http http, Map<String, Object> envelope, boolean chat, String finishReason) {
            byte[] env = http.mapper().writeValueAsBytes(envelope); // {"id":...,"model":"m"}
            String head = "data: " + new String(env, 0, env.length - 1, StandardCharsets.UTF_8)
                    + ",\"choices\":[{\"index\":0," + (chat ? "\"delta\":{\"content\":" : "\"text\":");
            String close = chat ? "}" : "";
            this.prefix = head.getBytes(StandardCharsets.UTF_8);
            this.suffix = (close + ",\"logprobs\":null,\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8);
            this.lastSuffix = (close + ",\"logprobs\":null,\"finish_reason\":"
                    + new String(http.mapper().writeValueAsBytes(finishReason), StandardCharsets.UTF_8)
                    + ",\"stop_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8);
            this.http = http;
        }

        byte[] token(String text, boolean last) {
            byte[] json = JSON_STRINGS.computeIfAbsent(text, t -> http.mapper().writeValueAsBytes(t));
            byte[] end = last ? lastSuffix : suffix;
            byte[] out = new byte[prefix.length + json.length + end.length];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            System.arraycopy(json, 0, out, prefix.length, json.length);
            System.arraycopy(end, 0, out, prefix.length + json.length, end.length);
            return out;
        }
    }

    private static Map<String, Object> envelope(String id, String object, long created, String model) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", object);
        body.put("created", created);
        body.put("model", model);
        return body;
    }

    private static Map<String, Object> usage(SimEngine.Plan plan, SimEngine.Done done) {
        int completion = done.finished().outputTokens();
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", plan.promptTokens());
        usage.put("total_tokens", plan.promptTokens() + completion);
        usage.put("completion_tokens", completion);
        usage.put("prompt_tokens_details", Map.of("cached_tokens", done.finished().cachedTokens()));
        return usage;
    }

    private Mono<ServerResponse> models(ServerRequest request) {
        SimProperties.Engine config = engine.config();
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("id", config.model());
        card.put("object", "model");
        card.put("created", clock.millis() / 1000);
        card.put("owned_by", config.kind() == EngineKind.SGLANG ? "sglang" : "vllm");
        card.put("root", config.model());
        card.put("parent", null);
        card.put("max_model_len", config.maxModelLen());
        return http.json(HttpStatus.OK, Map.of("object", "list", "data", List.of(card)));
    }

    /** vLLM {@code POST /tokenize}: the shared tokenizer's count and deterministic synthetic token ids. */
    private Mono<ServerResponse> tokenize(ServerRequest request) {
        return Http.body(request).flatMap(body -> {
            JsonNode root;
            try {
                root = http.mapper().readTree(body);
            } catch (RuntimeException e) {
                throw EngineApiException.badRequest("Invalid JSON body", null);
            }
            if (root == null || !root.isObject()) {
                throw EngineApiException.badRequest("Request body must be a JSON object", null);
            }
            JsonNode model = root.get("model");
            if (model != null && model.isString() && !engine.config().model().equals(model.stringValue())) {
                throw EngineApiException.notFound("The model `" + model.stringValue() + "` does not exist.", "model");
            }
            String text;
            if (root.has("messages")) {
                text = GenerationRequest.parse(http.mapper(), withModel(root), true).canonicalText();
            } else if (root.path("prompt").isString()) {
                text = PromptText.ofCompletion(root.get("prompt").stringValue());
            } else {
                throw EngineApiException.badRequest("Either 'prompt' (a string) or 'messages' is required", "prompt");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("count", Tokenizer.countTokens(text));
            out.put("max_model_len", engine.config().maxModelLen());
            out.put("tokens", SyntheticTokenIds.of(text));
            out.put("token_strs", null);
            return http.json(HttpStatus.OK, out);
        }).onErrorResume(EngineApiException.class, http::error);
    }

    private byte[] withModel(JsonNode root) {
        tools.jackson.databind.node.ObjectNode copy = ((tools.jackson.databind.node.ObjectNode) root).deepCopy();
        copy.put("model", engine.config().model());
        return http.mapper().writeValueAsBytes(copy);
    }

    /** vLLM {@code POST /reset_prefix_cache}: 200 once reset; refused while blocks are in use. */
    private Mono<ServerResponse> resetPrefixCache(ServerRequest request) {
        return Mono.fromFuture(engine.driver().resetPrefixCache()).flatMap(done -> done
                ? ServerResponse.ok().build()
                : http.error(EngineApiException.badRequest("The prefix cache was not reset: KV blocks are in use by "
                        + "running requests.", null)));
    }
}
