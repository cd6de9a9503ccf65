package dev.switchboard.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

import dev.switchboard.contract.EngineRole;
import dev.switchboard.sim.core.EngineConfig;
import dev.switchboard.sim.core.EngineStats;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SGLang's native HTTP surface ({@code sglang/srt/entrypoints/http_server.py}; engine-protocols.md 5.1):
 * {@code /generate} (text or input_ids, streamed with cumulative text), {@code /server_info},
 * {@code /v1/loads}, {@code /health_generate}, {@code /flush_cache}, {@code /model_info}. PD legs meet on
 * {@code bootstrap_room} (5.3).
 */
final class SglangRoutes {
    static final String SGLANG_VERSION = "0.5.4+switchboard-sim";
    /** An EOS token id, reported as {@code finish_reason.matched} for natural stops. */
    private static final int EOS_TOKEN = 128009;
    private static final Duration HEALTH_GENERATE_TIMEOUT = Duration.ofSeconds(20);

    private final SimEngine engine;
    private final Http http;
    private final Clock clock;
    private final DataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;

    SglangRoutes(SimEngine engine, Http http, Clock clock) {
        this.engine = engine;
        this.http = http;
        this.clock = clock;
    }

    RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST("/generate", this::generate)
                .PUT("/generate", this::generate)
                .GET("/server_info", this::serverInfo)
                .GET("/get_server_info", this::serverInfo)
                .GET("/v1/loads", this::loads)
                .GET("/get_load", this::loads)
                .GET("/health_generate", this::healthGenerate)
                .GET("/flush_cache", this::flushCache)
                .POST("/flush_cache", this::flushCache)
                .GET("/model_info", this::modelInfo)
                .GET("/get_model_info", this::modelInfo)
                .build();
    }

    private Mono<ServerResponse> generate(ServerRequest request) {
        return Http.body(request).flatMap(body -> {
            GenerationRequest parsed = GenerationRequest.parseGenerate(http.mapper(), body);
            if (engine.faults().injectError()) {
                throw EngineApiException.unavailable("The engine is overloaded (injected fault); retry later.");
            }
            SimEngine.Plan plan = engine.plan(parsed);
            String rid = parsed.rid() != null ? parsed.rid() : plan.id();
            return parsed.stream() ? stream(plan, rid) : whole(plan, rid);
        }).onErrorResume(EngineApiException.class, http::error);
    }

    private Mono<ServerResponse> whole(SimEngine.Plan plan, String rid) {
        StringBuilder text = new StringBuilder();
        return engine.run(plan)
                .doOnNext(s -> {
                    if (s instanceof SimEngine.Token t) {
                        text.append(t.text());
                    }
                })
                .last()
                .flatMap(s -> http.json(HttpStatus.OK, frame(plan, rid, text.toString(), (SimEngine.Done) s, 0)))
                .onErrorResume(EngineApiException.class, http::error);
    }

    private Mono<ServerResponse> stream(SimEngine.Plan plan, String rid) {
        StringBuilder text = new StringBuilder();
        int[] count = {0};
        Flux<byte[]> frames = engine.run(plan)
                .concatMapIterable(s -> {
                    if (s instanceof SimEngine.Token t) {
                        text.append(t.text());
                        count[0]++;
                        return List.of(http.sse(frame(plan, rid, text.toString(), null, count[0])));
                    }
                    return List.of(http.sse(frame(plan, rid, text.toString(), (SimEngine.Done) s, 0)), Http.DONE);
                })
                .onErrorResume(EngineApiException.class, e -> Flux.just(http.sse(Map.of("error", Map.of(
                        "message", e.getMessage(), "type", "invalid_request_error", "code", e.status()))), Http.DONE));
        Flux<DataBuffer> body = frames.map(buffers::wrap);
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .body(BodyInserters.fromDataBuffers(body));
    }

    /** A /generate answer or stream frame; {@code done} null for an intermediate frame. */
    private Map<String, Object> frame(SimEngine.Plan plan, String rid, String text, SimEngine.Done done, int tokens) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("id", rid);
        if (done == null) {
            meta.put("finish_reason", null);
            meta.put("prompt_tokens", plan.promptTokens());
            meta.put("completion_tokens", tokens);
        } else {
            var f = done.finished();
            meta.put("finish_reason", "length".equals(plan.finishReason())
                    ? Map.of("type", "length", "length", f.outputTokens())
                    : Map.of("type", "stop", "matched", EOS_TOKEN));
            meta.put("prompt_tokens", plan.promptTokens());
            meta.put("completion_tokens", f.outputTokens());
            meta.put("cached_tokens", f.cachedTokens());
            meta.put("e2e_latency", (f.times().finishedNanos() - f.times().arrivalNanos()) / 1e9);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text", text);
        out.put("meta_info", meta);
        return out;
    }

    private Mono<ServerResponse> serverInfo(ServerRequest request) {
        SimProperties.Engine c = engine.config();
        EngineConfig core = engine.driver().config();
        EngineStats s = engine.driver().stats();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("num_running_reqs", s.running());
        state.put("num_queue_reqs", s.waiting());
        state.put("token_usage", s.kvUsage());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_path", c.model());
        out.put("tokenizer_path", c.model());
        out.put("served_model_name", c.model());
        out.put("context_length", c.maxModelLen());
        out.put("page_size", core.blockSize());
        out.put("max_total_num_tokens", (long) core.usableBlocks() * core.blockSize());
        out.put("chunked_prefill_size", core.tokenBudget());
        out.put("max_running_requests", core.maxNumSeqs());
        out.put("mem_fraction_static", core.gpuMemoryUtilization());
        out.put("disable_radix_cache", !core.prefixCaching());
        out.put("tp_size", 1);
        out.put("dp_size", 1);
        out.put("disaggregation_mode", c.role() == EngineRole.UNIFIED ? "null" : c.role().wireName());
        out.put("disaggregation_bootstrap_port", c.bootstrapPort());
        out.put("disaggregation_transfer_backend", "fake");
        out.put("internal_states", List.of(state));
        out.put("version", SGLANG_VERSION);
        return http.json(HttpStatus.OK, out);
    }

    private Mono<ServerResponse> loads(ServerRequest request) {
        EngineStats s = engine.driver().stats();
        EngineConfig core = engine.driver().config();
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("dp_rank", 0);
        load.put("num_reqs", s.running() + s.waiting());
        load.put("num_waiting_reqs", s.waiting());
        load.put("num_tokens", (s.usableBlocks() - s.freeBlocks()) * core.blockSize());
        load.put("num_pending_tokens", 0);
        load.put("ts_tic", clock.millis() / 1000.0);
        return http.json(HttpStatus.OK, List.of(load));
    }

    /** Runs a one-token generation through the engine; 503 if it does not finish in time (hung engine). */
    private Mono<ServerResponse> healthGenerate(ServerRequest request) {
        GenerationRequest probe = new GenerationRequest(GenerationRequest.Api.GENERATE, null, "health check", null, 1,
                false, false, false, null, 0, null, null, null);
        return Mono.defer(() -> engine.run(engine.plan(probe)).then())
                .timeout(HEALTH_GENERATE_TIMEOUT)
                .then(ServerResponse.ok().build())
                .onErrorResume(e -> ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).build());
    }

    private Mono<ServerResponse> flushCache(ServerRequest request) {
        return Mono.fromFuture(engine.driver().resetPrefixCacheIfIdle()).flatMap(done -> done
                ? ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("Cache flushed.\nPlease check backend "
                        + "logs for more details. (When there are running or waiting requests, the operation will not be "
                        + "performed.)\n")
                : ServerResponse.badRequest().contentType(MediaType.TEXT_PLAIN).bodyValue("Cache not flushed. Please "
                        + "check backend logs for more details. (When there are running or waiting requests, the operation "
                        + "will not be performed.)\n"));
    }

    private Mono<ServerResponse> modelInfo(ServerRequest request) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_path", engine.config().model());
        out.put("tokenizer_path", engine.config().model());
        out.put("is_generation", true);
        return http.json(HttpStatus.OK, out);
    }
}
