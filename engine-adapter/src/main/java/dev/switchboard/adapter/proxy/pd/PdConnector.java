package dev.switchboard.adapter.proxy.pd;

import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.contract.PdTransferKind;
import reactor.core.publisher.Mono;

/**
 * One prefill/decode handshake, run by the decode-side adapter (after llm-d's routing sidecar
 * connectors {@code connector_nixlv2.go} and {@code connector_sglang.go}). Failure semantics shared
 * by every connector: a prefill 4xx is passed back to the client; any other prefill failure is retried
 * once on the next prefill endpoint if the gateway named one, else this engine serves the request
 * alone ({@link PdOutcome#LOCAL_PREFILL}); a failed decode leg cancels the prefill leg; a client that
 * goes away cancels both; no leg outlives the client request.
 */
public interface PdConnector {

    /** The transfer protocol this connector speaks. */
    PdTransferKind transfer();

    /** Serves one disaggregated request. */
    Mono<ServerResponse> serve(PdRequest request);
}
