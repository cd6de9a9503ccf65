package dev.switchboard.scheduler.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.switchboard.scheduler.SchedulerProperties;
import reactor.core.publisher.Mono;

/**
 * Guards {@code /admin/**} with a bearer token ({@code switchboard.scheduler.admin-token}); answers
 * 401 in the OpenAI error format otherwise. With no token configured the admin API is closed, unless
 * {@code admin-open} is set (local runs).
 */
@Component
public class AdminAuthFilter implements WebFilter {
    private final byte[] token;
    private final boolean open;

    public AdminAuthFilter(SchedulerProperties properties) {
        this.token = properties.adminToken().getBytes(StandardCharsets.UTF_8);
        this.open = properties.adminOpen();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith("/admin") || open) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        boolean ok = token.length > 0 && header != null && header.startsWith("Bearer ")
                && MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
        if (ok) {
            return chain.filter(exchange);
        }
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        String message = token.length == 0 ? "The admin API is disabled: set switchboard.scheduler.admin-token."
                : "Missing or wrong admin token: send Authorization: Bearer <admin token>.";
        byte[] body = ("{\"error\":{\"message\":\"" + message + "\",\"type\":\"authentication_error\",\"param\":null,"
                + "\"code\":\"invalid_admin_token\"}}").getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
