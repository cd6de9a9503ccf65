package dev.switchboard.adapter.proxy.pd;

import java.util.List;

import org.springframework.http.HttpHeaders;

import tools.jackson.databind.node.ObjectNode;

/**
 * A client request to disaggregate, read once.
 *
 * @param path      the OpenAI path ({@code /v1/chat/completions} or {@code /v1/completions})
 * @param headers   headers for both legs (internal and hop-by-hop headers removed, no Content-Length,
 *                  {@code X-Request-Id} set to {@code requestId})
 * @param body      the original body bytes (sent unchanged when this engine serves the request alone)
 * @param json      the parsed body (never modified; connectors copy it)
 * @param targets   prefill endpoints, preferred first
 * @param requestId id shared by both legs
 */
public record PdRequest(String path, HttpHeaders headers, byte[] body, ObjectNode json, List<PrefillTarget> targets,
        String requestId) {
    public PdRequest {
        targets = List.copyOf(targets);
    }
}
