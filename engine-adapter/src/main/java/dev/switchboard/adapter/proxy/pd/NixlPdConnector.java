package dev.switchboard.adapter.proxy.pd;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.contract.PdTransferKind;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * vLLM disaggregation with the NixlConnector ({@code research/engine-protocols.md} 4.1, after vLLM's
 * {@code toy_proxy_server.py} and llm-d's {@code connector_nixlv2.go}), run in sequence:
 * <ol>
 *   <li>prefill leg to the prefill endpoint's adapter: the client body with
 *       {@code kv_transfer_params = {do_remote_decode: true, do_remote_prefill: false, remote_*: null}},
 *       {@code stream=false}, {@code max_tokens=1} (and {@code max_completion_tokens=1} if present),
 *       {@code stream_options}, {@code min_tokens} and {@code min_completion_tokens} removed;</li>
 *   <li>decode leg to the local engine: the original body plus the {@code kv_transfer_params} the
 *       prefill returned, streamed to the client.</li>
 * </ol>
 * The prefill leg is complete before the decode leg starts, so a decode failure leaves no prefill leg
 * running (the prefill engine frees the blocks after {@code VLLM_NIXL_ABORT_REQUEST_TIMEOUT}).
 */
public final class NixlPdConnector implements PdConnector {
    private static final Logger log = LoggerFactory.getLogger(NixlPdConnector.class);
    private final PdLegs legs;
    private final AtomicBoolean warnedNoParams = new AtomicBoolean();

    public NixlPdConnector(PdLegs legs) {
        this.legs = legs;
    }

    @Override
    public PdTransferKind transfer() {
        return PdTransferKind.NIXL;
    }

    @Override
    public Mono<ServerResponse> serve(PdRequest request) {
        byte[] prefillBody = AdapterJson.MAPPER.writeValueAsBytes(prefillBody(request.json()));
        return prefill(request, prefillBody, 0)
                .flatMap(result -> {
                    if (result instanceof PrefillResult.Ok ok) {
                        return decode(request, ok, ok.target().equals(request.targets().get(0))
                                ? PdOutcome.DISAGGREGATED : PdOutcome.ALTERNATE_PREFILL);
                    }
                    if (result instanceof PrefillResult.Rejected rejected) {
                        return legs.passBack(rejected);
                    }
                    PrefillResult.Failed failed = (PrefillResult.Failed) result;
                    log.warn("request {}: prefill failed on {} ({}: {}); engine '{}' prefills it locally", request.requestId(),
                            failed.target(), failed.reason(), failed.detail(), legs.endpoint().id());
                    return legs.local(request, request.body(), PdOutcome.LOCAL_PREFILL, null);
                })
                .doOnCancel(legs::cancelled);
    }

    /** Tries the prefill endpoints in order: at most one retry, and only after a non-4xx failure. */
    private Mono<PrefillResult> prefill(PdRequest request, byte[] body, int attempt) {
        PrefillTarget target = request.targets().get(attempt);
        return legs.prefill(target, request, body).flatMap(result -> {
            if (result instanceof PrefillResult.Failed failed && attempt == 0 && request.targets().size() > 1) {
                log.info("request {}: prefill failed on {} ({}); retrying on {}", request.requestId(), target, failed.reason(),
                        request.targets().get(1));
                return prefill(request, body, 1);
            }
            return Mono.just(result);
        });
    }

    private Mono<ServerResponse> decode(PdRequest request, PrefillResult.Ok ok, PdOutcome outcome) {
        JsonNode params = null;
        try {
            JsonNode answer = AdapterJson.MAPPER.readTree(ok.body());
            params = answer.get("kv_transfer_params");
        } catch (RuntimeException e) {
            // an unreadable prefill answer is treated like one without transfer params
        }
        if (params == null || !params.isObject()) {
            if (warnedNoParams.compareAndSet(false, true)) {
                log.warn("prefill answers from {} carry no kv_transfer_params (is the prefill engine running with a "
                        + "NixlConnector?); engine '{}' prefills such requests itself", ok.target(), legs.endpoint().id());
            }
            return legs.local(request, request.body(), PdOutcome.LOCAL_PREFILL, null);
        }
        ObjectNode decodeBody = request.json().deepCopy();
        decodeBody.set("kv_transfer_params", params);
        return legs.local(request, AdapterJson.MAPPER.writeValueAsBytes(decodeBody), outcome, ok.target());
    }

    /** The prefill leg's body (package-private for tests). */
    static ObjectNode prefillBody(ObjectNode original) {
        ObjectNode body = original.deepCopy();
        ObjectNode params = body.objectNode();
        params.put("do_remote_decode", true);
        params.put("do_remote_prefill", false);
        params.putNull("remote_engine_id");
        params.putNull("remote_block_ids");
        params.putNull("remote_host");
        params.putNull("remote_port");
        body.set("kv_transfer_params", params);
        body.put("stream", false);
        body.put("max_tokens", 1);
        if (body.has("max_completion_tokens")) {
            body.put("max_completion_tokens", 1);
        }
        body.remove("stream_options");
        body.remove("min_tokens");
        body.remove("min_completion_tokens");
        return body;
    }
}
