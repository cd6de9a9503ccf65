package dev.switchboard.adapter.proxy.pd;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.proxy.EngineProxy;
import dev.switchboard.contract.wire.ApiError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The HTTP legs every {@link PdConnector} uses, with their accounting: a buffered prefill leg to a
 * peer adapter, and a streamed leg to the local engine relayed to the client.
 */
public final class PdLegs {
    private final EngineEndpoint endpoint;
    private final WebClient client;
    private final Duration prefillTimeout;
    private final AdapterMetrics metrics;
    private final String transfer;

    public PdLegs(EngineEndpoint endpoint, WebClient client, Duration prefillTimeout, AdapterMetrics metrics, String transfer) {
        this.endpoint = endpoint;
        this.client = client;
        this.prefillTimeout = prefillTimeout;
        this.metrics = metrics;
        this.transfer = transfer;
    }

    /**
     * Sends a prefill leg and reads its whole answer. Never fails: every failure is a
     * {@link PrefillResult.Failed}. Cancelling the returned Mono closes the connection, which the
     * prefill adapter passes on to its engine.
     */
    public Mono<PrefillResult> prefill(PrefillTarget target, PdRequest request, byte[] body) {
        return client.post().uri(URI.create(target.baseUrl() + request.path()))
                .headers(h -> h.addAll(request.headers()))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchangeToMono(response -> {
                    int status = response.statusCode().value();
                    MediaType type = response.headers().contentType().orElse(MediaType.APPLICATION_JSON);
                    return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).map(bytes -> {
                        if (status >= 200 && status < 300) {
                            return (PrefillResult) new PrefillResult.Ok(target, status, bytes);
                        }
                        if (status >= 400 && status < 500) {
                            return new PrefillResult.Rejected(target, status, type, bytes);
                        }
                        return new PrefillResult.Failed(target, "http_" + status, "prefill answered HTTP " + status);
                    });
                })
                .timeout(prefillTimeout)
                .onErrorResume(e -> Mono.just(new PrefillResult.Failed(target, reason(e), detail(e))))
                .doOnNext(r -> metrics.pdLeg(endpoint.id(), transfer, "prefill", r instanceof PrefillResult.Ok ? "ok"
                        : r instanceof PrefillResult.Failed f ? "failed_" + f.reason() : "rejected"))
                .doOnCancel(() -> metrics.pdLeg(endpoint.id(), transfer, "prefill", "cancelled"));
    }

    /** Opens a request to the local engine; emits when its status and headers arrive. */
    public Mono<ResponseEntity<Flux<DataBuffer>>> openLocal(PdRequest request, byte[] body) {
        return client.post().uri(URI.create(endpoint.config().baseUrl() + request.path()))
                .headers(h -> h.addAll(request.headers()))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .retrieve()
                // every engine status is relayed as-is; errors are the engine's to describe
                .onStatus(status -> true, response -> Mono.empty())
                .toEntityFlux(DataBuffer.class);
    }

    /** Sends {@code body} to the local engine and streams its answer to the client. */
    public Mono<ServerResponse> local(PdRequest request, byte[] body, PdOutcome outcome, PrefillTarget prefill) {
        return openLocal(request, body)
                .flatMap(entity -> relay(entity, outcome, prefill))
                .onErrorResume(WebClientRequestException.class, e -> decodeUnreachable(e));
    }

    /** Relays an opened local response, streaming; counts the decode leg and the outcome. */
    public Mono<ServerResponse> relay(ResponseEntity<Flux<DataBuffer>> entity, PdOutcome outcome, PrefillTarget prefill) {
        boolean ok = entity.getStatusCode().is2xxSuccessful();
        PdOutcome effective = ok ? outcome : PdOutcome.DECODE_FAILED;
        metrics.pdLeg(endpoint.id(), transfer, "decode", ok ? "ok" : "failed_http_" + entity.getStatusCode().value());
        metrics.pdRequest(endpoint.id(), transfer, effective.wireName());
        return ServerResponse.status(entity.getStatusCode())
                .headers(out -> {
                    EngineProxy.copyResponseHeaders(entity.getHeaders(), out);
                    out.set(PdOutcome.HEADER, effective.wireName());
                    if (prefill != null) {
                        out.set(PdOutcome.PREFILL_HEADER, prefill.toString());
                    }
                })
                .body(BodyInserters.fromDataBuffers(entity.getBody()));
    }

    /** Passes a prefill engine's 4xx answer back to the client. */
    public Mono<ServerResponse> passBack(PrefillResult.Rejected rejected) {
        metrics.pdRequest(endpoint.id(), transfer, PdOutcome.PREFILL_REJECTED.wireName());
        return ServerResponse.status(rejected.status())
                .contentType(rejected.contentType())
                .header(PdOutcome.HEADER, PdOutcome.PREFILL_REJECTED.wireName())
                .header(PdOutcome.PREFILL_HEADER, rejected.target().toString())
                .bodyValue(rejected.body());
    }

    /** The decode engine could not be reached: one clear 502. */
    public Mono<ServerResponse> decodeUnreachable(Throwable e) {
        metrics.pdLeg(endpoint.id(), transfer, "decode", "failed_unreachable");
        metrics.pdRequest(endpoint.id(), transfer, PdOutcome.DECODE_FAILED.wireName());
        String cause = e instanceof WebClientRequestException w ? w.getMostSpecificCause().getMessage() : String.valueOf(e.getMessage());
        return ServerResponse.status(HttpStatus.BAD_GATEWAY)
                .contentType(MediaType.APPLICATION_JSON)
                .header(PdOutcome.HEADER, PdOutcome.DECODE_FAILED.wireName())
                .bodyValue(new ApiError("Engine '" + endpoint.id() + "' at " + endpoint.config().engineUrl()
                        + " is unreachable for the decode leg: " + cause, ApiError.SERVER_ERROR, null, "engine_unreachable").body());
    }

    /** Counts a request that ended because the client went away. */
    public void cancelled() {
        metrics.pdRequest(endpoint.id(), transfer, PdOutcome.CANCELLED.wireName());
    }

    public EngineEndpoint endpoint() {
        return endpoint;
    }

    /** Reads nothing more of an opened response and closes its connection (the engine sees the abort). */
    static void discard(ResponseEntity<Flux<DataBuffer>> entity) {
        if (entity != null && entity.getBody() != null) {
            entity.getBody().subscribe(DataBufferUtils::release, e -> { }).dispose();
        }
    }

    private static String reason(Throwable e) {
        if (e instanceof TimeoutException) {
            return "timeout";
        }
        if (e instanceof WebClientRequestException) {
            return "unreachable";
        }
        return "error";
    }

    private String detail(Throwable e) {
        if (e instanceof TimeoutException) {
            return "no prefill answer within " + prefillTimeout;
        }
        if (e instanceof WebClientRequestException w) {
            return w.getMostSpecificCause().getMessage();
        }
        return String.valueOf(e.getMessage());
    }
}
