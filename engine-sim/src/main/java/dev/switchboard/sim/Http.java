package dev.switchboard.sim;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/** Small helpers shared by the engine route sets: JSON bodies, vLLM error envelopes, request bodies. */
final class Http {
    /** SSE end marker. */
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;

    Http(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    Mono<ServerResponse> json(HttpStatus status, Object body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(mapper.writeValueAsBytes(body));
    }

    /** vLLM's envelope {@code {"error": {"message", "type", "param", "code": <status>}}}. */
    Mono<ServerResponse> error(EngineApiException e) {
        return json(HttpStatus.valueOf(e.status()), errorBody(e));
    }

    static Map<String, Object> errorBody(EngineApiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.status());
        return Map.of("error", error);
    }

    /** The whole request body (empty array if none). */
    static Mono<byte[]> body(ServerRequest request) {
        return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class))
                .map(Http::drain)
                .defaultIfEmpty(new byte[0]);
    }

    /** {@code data: <json>\n\n}. */
    byte[] sse(Object frame) {
        byte[] json = mapper.writeValueAsBytes(frame);
        byte[] out = new byte[json.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(json, 0, out, 6, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
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
