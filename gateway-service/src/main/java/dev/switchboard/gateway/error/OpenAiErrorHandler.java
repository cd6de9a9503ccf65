package dev.switchboard.gateway.error;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.gateway.routing.InvalidRequestException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Renders every gateway error in the OpenAI error format, so OpenAI clients show a useful message
 * instead of failing to parse Spring's default error page. Runs before Spring Boot's default
 * handler.
 */
@Component
@Order(-2)
public class OpenAiErrorHandler implements WebExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(OpenAiErrorHandler.class);
    private final ObjectMapper mapper;

    public OpenAiErrorHandler(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(ex); // the stream already started; nothing sensible can be written
        }
        int status;
        ApiError error;
        if (ex instanceof InvalidRequestException invalid) {
            status = invalid.httpStatus();
            error = invalid.error();
        } else if (ex instanceof ResponseStatusException rse) {
            status = rse.getStatusCode().value();
            error = new ApiError(describe(rse.getStatusCode(), rse.getReason()), ApiError.typeForStatus(status), null, null);
        } else if (hasCause(ex, TimeoutException.class)) {
            status = 504;
            error = new ApiError("The engine did not answer in time.", ApiError.SERVER_ERROR, null, "upstream_timeout");
        } else if (hasCause(ex, ConnectException.class)) {
            status = 502;
            error = new ApiError("The engine could not be reached: " + ex.getMessage(), ApiError.SERVER_ERROR, null,
                    "upstream_unreachable");
        } else {
            status = 500;
            error = new ApiError("Internal gateway error.", ApiError.SERVER_ERROR, null, null);
            log.error("unexpected error on {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
        }
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatusCode.valueOf(status));
        if (ex instanceof InvalidRequestException invalid && invalid.retryAfter() != null) {
            response.getHeaders().set("Retry-After", invalid.retryAfter());
        }
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        byte[] body = mapper.writeValueAsBytes(error.body());
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    private static String describe(HttpStatusCode code, String reason) {
        if (code.value() == 404) {
            return "Unknown endpoint. Switchboard serves POST /v1/chat/completions, POST /v1/completions and GET /v1/models.";
        }
        HttpStatus known = HttpStatus.resolve(code.value());
        String base = known != null ? known.getReasonPhrase() : "HTTP " + code.value();
        return reason == null || reason.isBlank() ? base + "." : base + ": " + reason;
    }

    private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
