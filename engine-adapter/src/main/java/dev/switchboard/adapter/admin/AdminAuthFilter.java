package dev.switchboard.adapter.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.contract.wire.ApiError;
import reactor.core.publisher.Mono;

/**
 * Guards {@code /admin/**} on the adapter's own port with {@code Authorization: Bearer <admin-token>};
 * anything else gets a 401 in the OpenAI error format. Open only when no token is configured, which
 * {@code AdapterProperties} allows only with {@code admin-open=true}.
 */
public final class AdminAuthFilter implements WebFilter {
    private final byte[] token;

    public AdminAuthFilter(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (token.length == 0 || !(path.equals("/admin") || path.startsWith("/admin/"))) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            return chain.filter(exchange);
        }
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        String message = header == null ? "Missing admin token: send 'Authorization: Bearer <switchboard.adapter.admin-token>'"
                : "Invalid admin token";
        byte[] body = AdapterJson.MAPPER.writeValueAsBytes(
                new ApiError(message, ApiError.AUTHENTICATION, null, "invalid_admin_token").body());
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }
}
