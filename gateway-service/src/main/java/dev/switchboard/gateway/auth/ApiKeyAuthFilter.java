package dev.switchboard.gateway.auth;

import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.switchboard.contract.tenants.Tenant;
import dev.switchboard.contract.tenants.TenantsConfig;
import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.gateway.routing.InvalidRequestException;
import reactor.core.publisher.Mono;

/**
 * Resolves {@code Authorization: Bearer <key>} on the OpenAI API ({@code /v1/**}) to a tenant by the
 * SHA-256 of the key. Missing or unknown keys get an OpenAI-format 401. In open mode
 * ({@code switchboard.gateway.auth.open}, for local runs) requests without a known key run as the
 * tenant {@value #ANONYMOUS}.
 */
@Component
public class ApiKeyAuthFilter implements WebFilter, Ordered {
    /** Exchange attribute holding the resolved {@link Tenant}. */
    public static final String TENANT_ATTRIBUTE = ApiKeyAuthFilter.class.getName() + ".tenant";
    public static final String ANONYMOUS = "anonymous";
    private static final Tenant ANONYMOUS_TENANT = new Tenant(ANONYMOUS, List.of(), 1, 0, 0, TenantsConfig.DEFAULT_MAX_QUEUED);

    private final TenantDirectory tenants;
    private final boolean open;

    public ApiKeyAuthFilter(TenantDirectory tenants, @Value("${switchboard.gateway.auth.open:false}") boolean open) {
        this.tenants = tenants;
        this.open = open;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith("/v1/")) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        Tenant tenant = key == null || key.isEmpty() ? null : tenants.byApiKey(key).orElse(null);
        if (tenant == null && !open) {
            String message = key == null || key.isEmpty()
                    ? "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."
                    : "Incorrect API key provided: " + redact(key) + ".";
            return Mono.error(new InvalidRequestException(401, new ApiError(message, ApiError.INVALID_REQUEST, null,
                    "invalid_api_key")));
        }
        exchange.getAttributes().put(TENANT_ATTRIBUTE, tenant != null ? tenant : ANONYMOUS_TENANT);
        return chain.filter(exchange);
    }

    private static String redact(String key) {
        return key.length() <= 8 ? "****" : key.substring(0, 3) + "****" + key.substring(key.length() - 4);
    }
}
