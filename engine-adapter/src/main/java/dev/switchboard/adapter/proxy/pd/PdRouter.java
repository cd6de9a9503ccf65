package dev.switchboard.adapter.proxy.pd;

import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.engine.EngineEndpoint;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.proxy.EngineProxy;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.SwitchboardHeaders;
import dev.switchboard.contract.wire.ApiError;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Entry of the disaggregated path for one endpoint: reads the request once (bounded), parses the
 * gateway's prefill endpoints, and hands the request to the {@link PdConnector} of the engine's
 * transfer kind. An engine without a transfer kind serves the request alone (and says so).
 */
public final class PdRouter {
    private static final Logger log = LoggerFactory.getLogger(PdRouter.class);
    private static final SecureRandom ROOMS = new SecureRandom();

    private final EngineEndpoint endpoint;
    private final int maxBodyBytes;
    private final PdConnector nixl;
    private final PdConnector mooncake;
    private final PdLegs plainLegs;
    private final AtomicBoolean warnedUnsupported = new AtomicBoolean();

    public PdRouter(EngineEndpoint endpoint, WebClient client, AdapterProperties.Pd config, AdapterMetrics metrics) {
        this.endpoint = endpoint;
        this.maxBodyBytes = (int) config.maxBodySize().toBytes();
        this.nixl = new NixlPdConnector(new PdLegs(endpoint, client, config.prefillTimeout(), metrics, "nixl"));
        // bootstrap rooms: random non-negative 63-bit ids, as SGLang's mini_lb draws them
        this.mooncake = new MooncakePdConnector(new PdLegs(endpoint, client, config.prefillTimeout(), metrics, "mooncake"),
                config.sglangBootstrapPort(), () -> ROOMS.nextLong() & Long.MAX_VALUE);
        this.plainLegs = new PdLegs(endpoint, client, config.prefillTimeout(), metrics, "none");
    }

    /** Serves a request that carries {@code x-switchboard-prefill: prefillHeader}. */
    public Mono<ServerResponse> serve(ServerRequest request, String prefillHeader) {
        List<PrefillTarget> targets;
        try {
            targets = PrefillTarget.parse(prefillHeader);
        } catch (IllegalArgumentException e) {
            return error(HttpStatus.INTERNAL_SERVER_ERROR, "Invalid " + SwitchboardHeaders.PREFILL + " header from the gateway: "
                    + e.getMessage(), ApiError.SERVER_ERROR, "invalid_internal_header");
        }
        return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class), maxBodyBytes)
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0])
                .flatMap(bytes -> route(request, targets, bytes))
                .onErrorResume(DataBufferLimitException.class, e -> error(HttpStatus.CONTENT_TOO_LARGE,
                        "Request body exceeds the adapter's limit for disaggregated requests (" + maxBodyBytes + " bytes; "
                                + "switchboard.adapter.pd.max-body-size)", ApiError.INVALID_REQUEST, "request_too_large"));
    }

    private Mono<ServerResponse> route(ServerRequest request, List<PrefillTarget> targets, byte[] bytes) {
        JsonNode json;
        try {
            json = AdapterJson.MAPPER.readTree(bytes);
        } catch (RuntimeException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return error(HttpStatus.BAD_REQUEST, "Request body must be a JSON object", ApiError.INVALID_REQUEST, "invalid_json");
        }
        String requestId = requestId(request.headers().asHttpHeaders());
        HttpHeaders legHeaders = new HttpHeaders();
        EngineProxy.copyRequestHeaders(request.headers().asHttpHeaders(), legHeaders);
        legHeaders.remove(HttpHeaders.CONTENT_LENGTH);
        legHeaders.remove(HttpHeaders.CONTENT_TYPE);
        legHeaders.set("X-Request-Id", requestId);
        PdRequest pd = new PdRequest(request.path(), legHeaders, bytes, (ObjectNode) json, targets, requestId);
        return switch (transfer()) {
            case NIXL -> nixl.serve(pd);
            case MOONCAKE -> mooncake.serve(pd);
            case NONE -> {
                if (warnedUnsupported.compareAndSet(false, true)) {
                    log.warn("engine '{}' has pd-transfer 'none' but the gateway asked for disaggregation; serving such "
                            + "requests on this engine alone", endpoint.id());
                }
                yield plainLegs.local(pd, bytes, PdOutcome.LOCAL_PREFILL, null);
            }
        };
    }

    private PdTransferKind transfer() {
        var descriptor = endpoint.descriptor();
        return descriptor != null ? descriptor.pdTransfer() : endpoint.config().pdTransfer();
    }

    /** The gateway's request id, else the client's, else a new one: both legs share it. */
    static String requestId(HttpHeaders headers) {
        String id = headers.getFirst(SwitchboardHeaders.REQUEST_ID);
        if (id == null || id.isBlank()) {
            id = headers.getFirst("X-Request-Id");
        }
        return id == null || id.isBlank() ? UUID.randomUUID().toString() : id;
    }

    private static Mono<ServerResponse> error(HttpStatus status, String message, String type, String code) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .header(PdOutcome.HEADER, PdOutcome.INVALID.wireName())
                .bodyValue(new ApiError(message, type, null, code).body());
    }
}
