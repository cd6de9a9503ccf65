package dev.switchboard.adapter.proxy.pd;

import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.contract.PdTransferKind;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SGLang disaggregation over the Mooncake (or NIXL) bootstrap ({@code research/engine-protocols.md}
 * 4.3 and 5.3, after SGLang's mini_lb and llm-d's {@code connector_sglang.go}): the client body plus
 * {@code bootstrap_host} (the prefill endpoint's host), {@code bootstrap_port} and a random
 * {@code bootstrap_room} goes to the prefill endpoint's adapter and to the local decode engine at
 * once; the client gets the decode engine's answer.
 *
 * <p>The decode answer is held (not yet sent to the client) until the prefill leg has succeeded, so
 * that a prefill failure can still be handled before the first byte: a 4xx is passed back, any other
 * failure cancels this decode leg and retries the pair on the alternate prefill endpoint (fresh room),
 * else the local engine serves the request alone. A decode failure cancels the prefill leg. A client
 * that goes away cancels both.
 */
public final class MooncakePdConnector implements PdConnector {
    private static final Logger log = LoggerFactory.getLogger(MooncakePdConnector.class);

    private final PdLegs legs;
    private final int bootstrapPort;
    private final LongSupplier rooms;

    /**
     * @param bootstrapPort the prefill engines' bootstrap port when the gateway's header names none
     * @param rooms         source of bootstrap rooms (non-negative, unique per request)
     */
    public MooncakePdConnector(PdLegs legs, int bootstrapPort, LongSupplier rooms) {
        this.legs = legs;
        this.bootstrapPort = bootstrapPort;
        this.rooms = rooms;
    }

    @Override
    public PdTransferKind transfer() {
        return PdTransferKind.MOONCAKE;
    }

    @Override
    public Mono<ServerResponse> serve(PdRequest request) {
        return attempt(request, 0).doOnCancel(legs::cancelled);
    }

    private Mono<ServerResponse> attempt(PdRequest request, int index) {
        PrefillTarget target = request.targets().get(index);
        // the prefill engine's own bootstrap port when the scheduler knows it (registered metadata), else the default
        int port = target.bootstrapPort() > 0 ? target.bootstrapPort() : bootstrapPort;
        byte[] body = AdapterJson.MAPPER.writeValueAsBytes(withBootstrap(request.json(), request.path(), target.host(),
                port, rooms));
        PdOutcome success = index == 0 ? PdOutcome.DISAGGREGATED : PdOutcome.ALTERNATE_PREFILL;
        return Mono.<Result>create(sink -> new Pair(sink, legs.prefill(target, request, body), legs.openLocal(request, body)).start())
                .flatMap(result -> {
                    if (result instanceof Result.Committed c) {
                        return legs.relay(c.decode(), success, target);
                    }
                    if (result instanceof Result.DecodeFailed d) {
                        return d.decode() != null ? legs.relay(d.decode(), PdOutcome.DECODE_FAILED, target)
                                : legs.decodeUnreachable(d.error());
                    }
                    PrefillResult prefill = ((Result.PrefillDone) result).prefill();
                    if (prefill instanceof PrefillResult.Rejected rejected) {
                        return legs.passBack(rejected);
                    }
                    PrefillResult.Failed failed = (PrefillResult.Failed) prefill;
                    if (index == 0 && request.targets().size() > 1) {
                        log.info("request {}: prefill failed on {} ({}); retrying the pair with {}", request.requestId(),
                                target, failed.reason(), request.targets().get(1));
                        return attempt(request, 1);
                    }
                    log.warn("request {}: prefill failed on {} ({}: {}); engine '{}' serves it alone", request.requestId(),
                            target, failed.reason(), failed.detail(), legs.endpoint().id());
                    return legs.local(request, request.body(), PdOutcome.LOCAL_PREFILL, null);
                });
    }

    /** The body with the bootstrap fields; batched completions get one room per prompt. */
    static ObjectNode withBootstrap(ObjectNode original, String path, String host, int port, LongSupplier rooms) {
        ObjectNode body = original.deepCopy();
        int batch = batchSize(body, path);
        if (batch == 0) {
            body.put("bootstrap_host", host);
            body.put("bootstrap_port", port);
            body.put("bootstrap_room", rooms.getAsLong());
        } else {
            ArrayNode hosts = body.putArray("bootstrap_host");
            ArrayNode ports = body.putArray("bootstrap_port");
            ArrayNode roomList = body.putArray("bootstrap_room");
            for (int i = 0; i < batch; i++) {
                hosts.add(host);
                ports.add(port);
                roomList.add(rooms.getAsLong());
            }
        }
        return body;
    }

    /** Number of prompts of a batched completion request, 0 for a single prompt. */
    static int batchSize(ObjectNode body, String path) {
        if (!path.endsWith("/completions") || path.endsWith("/chat/completions")) {
            return 0;
        }
        JsonNode prompt = body.get("prompt");
        if (prompt == null || !prompt.isArray() || prompt.isEmpty()) {
            return 0;
        }
        JsonNode first = prompt.get(0);
        // a list of strings or a list of token lists is a batch; a flat list of ints is one prompt
        return first.isString() || first.isArray() ? prompt.size() : 0;
    }

    /** How one concurrent prefill+decode pair ended before anything reached the client. */
    sealed interface Result {
        /** Prefill succeeded and decode answered 2xx: relay the decode answer. */
        record Committed(ResponseEntity<Flux<DataBuffer>> decode) implements Result {
        }

        /** Prefill ended without success; the decode leg was cancelled. */
        record PrefillDone(PrefillResult prefill) implements Result {
        }

        /** Decode answered non-2xx ({@code decode}) or not at all ({@code error}); the prefill leg was cancelled. */
        record DecodeFailed(ResponseEntity<Flux<DataBuffer>> decode, Throwable error) implements Result {
        }
    }

    /** The state machine of one pair of legs. Every transition happens under this object's lock. */
    private static final class Pair {
        private final MonoSink<Result> sink;
        private final Mono<PrefillResult> prefillLeg;
        private final Mono<ResponseEntity<Flux<DataBuffer>>> decodeLeg;
        // a Swap disposes anything put into it after it was disposed, so a leg that a synchronous
        // callback already cancelled cannot start running afterwards
        private final Disposable.Swap prefill = Disposables.swap();
        private final Disposable.Swap decode = Disposables.swap();
        private PrefillResult prefillResult;
        private ResponseEntity<Flux<DataBuffer>> heldDecode;
        private boolean done;

        Pair(MonoSink<Result> sink, Mono<PrefillResult> prefillLeg, Mono<ResponseEntity<Flux<DataBuffer>>> decodeLeg) {
            this.sink = sink;
            this.prefillLeg = prefillLeg;
            this.decodeLeg = decodeLeg;
        }

        void start() {
            sink.onCancel(this::cancelAll);
            decode.update(decodeLeg.subscribe(this::onDecode, this::onDecodeError));
            prefill.update(prefillLeg.subscribe(this::onPrefill));
        }

        private synchronized void onPrefill(PrefillResult result) {
            if (done) {
                return;
            }
            prefillResult = result;
            if (result instanceof PrefillResult.Ok) {
                if (heldDecode != null) {
                    finish(new Result.Committed(take()));
                }
                return;
            }
            cancelDecode();
            finish(new Result.PrefillDone(result));
        }

        private synchronized void onDecode(ResponseEntity<Flux<DataBuffer>> entity) {
            if (done) {
                PdLegs.discard(entity);
                return;
            }
            if (!entity.getStatusCode().is2xxSuccessful()) {
                prefill.dispose();
                finish(new Result.DecodeFailed(entity, null));
                return;
            }
            heldDecode = entity;
            if (prefillResult instanceof PrefillResult.Ok) {
                finish(new Result.Committed(take()));
            }
        }

        private synchronized void onDecodeError(Throwable error) {
            if (done) {
                return;
            }
            prefill.dispose();
            finish(new Result.DecodeFailed(null, error));
        }

        private synchronized void cancelAll() {
            done = true;
            prefill.dispose();
            cancelDecode();
        }

        private void cancelDecode() {
            decode.dispose();
            PdLegs.discard(take());
        }

        private ResponseEntity<Flux<DataBuffer>> take() {
            ResponseEntity<Flux<DataBuffer>> e = heldDecode;
            heldDecode = null;
            return e;
        }

        private void finish(Result result) {
            done = true;
            sink.success(result);
        }
    }
}
