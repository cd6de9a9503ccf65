package dev.switchboard.sim;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * The vLLM OpenAI-compatible HTTP surface of one simulated engine: response shapes, SSE framing
 * ({@code data: <json>\n\n}, optional usage chunk, {@code data: [DONE]}) and error envelopes as in
 * {@code research/engine-protocols.md} section 1.
 */
final class OpenAiRoutes {
    private static final String SIM_VERSION = "0.11.0+switchboard-sim";
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final SimulatedEngine engine;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final RecentRequests recent = new RecentRequests();
    private final DataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;

    OpenAiRoutes(SimulatedEngine engine, ObjectMapper mapper, Clock clock) {
        this.engine = engine;
        this.mapper = mapper;
        this.clock = clock;
    }

    RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .filter((request, next) -> {
                    recent.record(clock.millis(), request.method().name(), request.path(), request.headers().asHttpHeaders());
                    return next.handle(request);
                })
                .POST("/v1/chat/completions", request -> complete(request, true))
                .POST("/v1/completions", request -> complete(request, false))
                .GET("/v1/models", this::models)
                .GET("/health", request -> ServerResponse.ok().build())
                .GET("/version", request -> json(HttpStatus.OK, Map.of("version", SIM_VERSION)))
                .GET("/sim/requests", request -> json(HttpStatus.OK, recent.snapshot()))
                .build();
    }

    private Mono<ServerResponse> complete(ServerRequest request, boolean chat) {
        return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class))
                .map(OpenAiRoutes::drain)
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> {
                    GenerationRequest parsed = GenerationRequest.parse(mapper, body, chat);
                    SimulatedEngine.Generation generation = engine.plan(parsed);
                    String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
                    long created = clock.millis() / 1000;
                    return parsed.stream() ? stream(parsed, generation, id, created) : whole(parsed, generation, id, created);
                })
                .onErrorResume(EngineApiException.class, this::error);
    }

    private Mono<ServerResponse> whole(GenerationRequest request, SimulatedEngine.Generation generation, String id, long created) {
        return engine.generate(generation).collect(StringBuilder::new, StringBuilder::append).flatMap(text -> {
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            if (request.chat()) {
                choice.put("message", Map.of("role", "assistant", "content", text.toString()));
            } else {
                choice.put("text", text.toString());
            }
            choice.put("logprobs", null);
            choice.put("finish_reason", generation.finishReason());
            choice.put("stop_reason", null);
            Map<String, Object> body = envelope(id, request.chat() ? "chat.completion" : "text_completion", created, request.model());
            body.put("choices", List.of(choice));
            body.put("usage", usage(generation));
            return json(HttpStatus.OK, body);
        });
    }

    private Mono<ServerResponse> stream(GenerationRequest request, SimulatedEngine.Generation generation, String id, long created) {
        String object = request.chat() ? "chat.completion.chunk" : "text_completion";
        List<Map<String, Object>> head = new ArrayList<>();
        if (request.chat()) {
            head.add(chunk(request, id, object, created, Map.of("role", "assistant", "content", ""), null));
        }
        int last = generation.completionTokens() - 1;
        Flux<Map<String, Object>> tokens = engine.generate(generation).index().map(t -> {
            boolean isLast = t.getT1() == last;
            Object delta = request.chat() ? Map.of("content", t.getT2()) : t.getT2();
            return chunk(request, id, object, created, delta, isLast ? generation.finishReason() : null);
        });
        Flux<Map<String, Object>> tail = Flux.empty();
        if (request.includeUsage()) {
            Map<String, Object> usageChunk = envelope(id, object, created, request.model());
            usageChunk.put("choices", List.of());
            usageChunk.put("usage", usage(generation));
            tail = Flux.just(usageChunk);
        }
        Flux<DataBuffer> frames = Flux.fromIterable(head).concatWith(tokens).concatWith(tail)
                .map(frame -> sseFrame(frame))
                .concatWith(Mono.fromSupplier(() -> buffers.wrap(DONE)));
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .header("Cache-Control", "no-cache")
                .body(BodyInserters.fromDataBuffers(frames));
    }

    private Map<String, Object> chunk(GenerationRequest request, String id, String object, long created, Object delta,
            String finishReason) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        if (request.chat()) {
            choice.put("delta", delta);
        } else {
            choice.put("text", delta);
        }
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason);
        if (finishReason != null) {
            choice.put("stop_reason", null);
        }
        Map<String, Object> body = envelope(id, object, created, request.model());
        body.put("choices", List.of(choice));
        return body;
    }

    private static Map<String, Object> envelope(String id, String object, long created, String model) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", object);
        body.put("created", created);
        body.put("model", model);
        return body;
    }

    private static Map<String, Object> usage(SimulatedEngine.Generation generation) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", generation.promptTokens());
        usage.put("total_tokens", generation.promptTokens() + generation.completionTokens());
        usage.put("completion_tokens", generation.completionTokens());
        usage.put("prompt_tokens_details", Map.of("cached_tokens", 0));
        return usage;
    }

    private Mono<ServerResponse> models(ServerRequest request) {
        SimProperties.Engine config = engine.config();
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("id", config.model());
        card.put("object", "model");
        card.put("created", clock.millis() / 1000);
        card.put("owned_by", "vllm");
        card.put("root", config.model());
        card.put("parent", null);
        card.put("max_model_len", config.maxModelLen());
        return json(HttpStatus.OK, Map.of("object", "list", "data", List.of(card)));
    }

    private Mono<ServerResponse> error(EngineApiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.status());
        return json(HttpStatus.valueOf(e.status()), Map.of("error", error));
    }

    private Mono<ServerResponse> json(HttpStatus status, Object body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(mapper.writeValueAsBytes(body));
    }

    private DataBuffer sseFrame(Object frame) {
        byte[] json = mapper.writeValueAsBytes(frame);
        DataBuffer buffer = buffers.allocateBuffer(json.length + 8);
        buffer.write("data: ".getBytes(StandardCharsets.US_ASCII));
        buffer.write(json);
        buffer.write(new byte[] {'\n', '\n'});
        return buffer;
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
