package dev.switchboard.scheduler.api;

import java.io.ByteArrayOutputStream;
import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.stereotype.Component;

import dev.switchboard.contract.wire.ApiError;
import dev.switchboard.contract.wire.LeaseCompletion;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.contract.wire.SchedulerPaths;
import dev.switchboard.scheduler.service.AfterResponse;
import dev.switchboard.scheduler.service.SchedulerService;
import dev.switchboard.scheduler.service.SchedulingRejectedException;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * The two calls every gateway request makes, served on Reactor Netty directly, ahead of WebFlux on the same
 * port: {@code POST /v1/schedule} (one per request, on its critical path) and {@code POST /v1/leases/complete}
 * (batched). Everything else (models, admin, actuator) stays with WebFlux. A WebFlux controller spent most of
 * the scheduler's CPU on dispatching, argument resolution and content negotiation, several times the decision
 * itself (docs/benchmarks.md, session 10); here a call is read whole, decoded and encoded with the application's
 * {@link ObjectMapper} (the same JSON as the rest of the API) and answered in one write.
 *
 * <p>Errors are the OpenAI error envelope: 400 for malformed JSON or invalid fields, 415 for a body that is not
 * JSON, 405 for another method, the scheduler's own rejections (404, 429 with {@code Retry-After}, 503) as they
 * come, 500 for anything unexpected (logged).
 */
@Component
public class GatewayRoutes implements NettyRouteProvider {
    /**
     * Largest body read: far above what the gateway's largest prompt (8 MB by default) hashes to (a block hash
     * per 16 tokens, about a quarter of the prompt's bytes), and a bound on what one call can make the
     * scheduler hold.
     */
    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(GatewayRoutes.class);
    private static final TypeReference<List<LeaseCompletion>> COMPLETIONS = new TypeReference<>() { };

    private final SchedulerService scheduler;
    private final ObjectMapper json;

    public GatewayRoutes(SchedulerService scheduler, ObjectMapper json) {
        this.scheduler = scheduler;
        this.json = json;
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(request -> SchedulerPaths.SCHEDULE.equals(request.fullPath()), this::schedule)
                .route(request -> SchedulerPaths.COMPLETE_LEASES.equals(request.fullPath()), this::complete);
    }

    private Mono<Void> schedule(HttpServerRequest in, HttpServerResponse out) {
        if (!in.method().equals(HttpMethod.POST)) {
            return methodNotAllowed(out);
        }
        boolean explain = explain(in.uri());
        // the decision's prefix-index lesson runs once the answer is written (the send below completes then)
        AfterResponse after = new AfterResponse();
        return body(in)
                .map(bytes -> json.readValue(bytes, ScheduleRequest.class))
                .flatMap(request -> scheduler.schedule(request, explain))
                .flatMap(decision -> send(out, HttpResponseStatus.OK, json.writeValueAsBytes(decision)))
                .onErrorResume(e -> failed(out, e))
                .contextWrite(context -> context.put(AfterResponse.CONTEXT_KEY, after))
                .doFinally(signal -> after.run());
    }

    private Mono<Void> complete(HttpServerRequest in, HttpServerResponse out) {
        if (!in.method().equals(HttpMethod.POST)) {
            return methodNotAllowed(out);
        }
        return body(in)
                .map(bytes -> json.readValue(bytes, COMPLETIONS))
                .flatMap(completions -> {
                    scheduler.complete(completions);
                    return out.status(HttpResponseStatus.ACCEPTED).header(HttpHeaderNames.CONTENT_LENGTH, "0").send();
                })
                .onErrorResume(e -> failed(out, e));
    }

    /** The whole body; an error for a body that is missing, too large or not JSON. */
    private static Mono<byte[]> body(HttpServerRequest in) {
        String type = in.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
        if (type != null && !isJson(type)) {
            return Mono.error(new Rejected(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, new ApiError(
                    "Content-Type '" + type + "' is not supported; send application/json.", ApiError.INVALID_REQUEST, null,
                    "unsupported_media_type")));
        }
        if (in.requestHeaders().getInt(HttpHeaderNames.CONTENT_LENGTH, 0) > MAX_BODY_BYTES) {
            return Mono.error(tooLarge());
        }
        // chunks are copied out (and their buffers released) as they come, so a refusal midway leaks nothing
        return in.receive().asByteArray()
                .collect(ByteArrayOutputStream::new, (all, chunk) -> {
                    if (all.size() + chunk.length > MAX_BODY_BYTES) {
                        throw tooLarge();
                    }
                    all.writeBytes(chunk);
                })
                .filter(all -> all.size() > 0)
                .map(ByteArrayOutputStream::toByteArray)
                .switchIfEmpty(Mono.error(() -> invalid("the request has no body")));
    }

    private static Rejected tooLarge() {
        return new Rejected(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, new ApiError("The request body is over the "
                + MAX_BODY_BYTES / (1024 * 1024) + " MB the scheduler reads.", ApiError.INVALID_REQUEST, null,
                "request_too_large"));
    }

    private static boolean isJson(String contentType) {
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return mime.equalsIgnoreCase("application/json") || mime.regionMatches(true, mime.length() - 5, "+json", 0, 5);
    }

    private static boolean explain(String uri) {
        List<String> values = new QueryStringDecoder(uri).parameters().get("explain");
        return values != null && !values.isEmpty() && Boolean.parseBoolean(values.get(values.size() - 1));
    }

    private Mono<Void> failed(HttpServerResponse out, Throwable e) {
        if (out.hasSentHeaders()) {
            return Mono.error(e);
        }
        if (e instanceof SchedulingRejectedException rejected) {
            if (rejected.retryAfterSeconds() > 0) {
                out.header(HttpHeaderNames.RETRY_AFTER, Long.toString(rejected.retryAfterSeconds()));
            }
            return send(out, HttpResponseStatus.valueOf(rejected.httpStatus()), errorBody(rejected.error()));
        }
        if (e instanceof Rejected rejected) {
            return send(out, rejected.status, errorBody(rejected.error));
        }
        if (e instanceof JacksonException || e instanceof IllegalArgumentException) {
            return send(out, HttpResponseStatus.BAD_REQUEST, errorBody(invalid(mostSpecificMessage(e)).error));
        }
        log.error("scheduler call failed", e);
        return send(out, HttpResponseStatus.INTERNAL_SERVER_ERROR, errorBody(new ApiError(
                "The scheduler failed: " + e.getClass().getSimpleName(), ApiError.SERVER_ERROR, null, "scheduler_error")));
    }

    /** What went wrong, from the innermost cause (a record's own validation, under Jackson's wrapper). */
    private static String mostSpecificMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof JacksonException jackson) {
            return jackson.getOriginalMessage();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static Rejected invalid(String message) {
        return new Rejected(HttpResponseStatus.BAD_REQUEST,
                new ApiError("Invalid scheduler request: " + message, ApiError.INVALID_REQUEST, null, "invalid_schedule_request"));
    }

    private Mono<Void> methodNotAllowed(HttpServerResponse out) {
        out.header(HttpHeaderNames.ALLOW, "POST");
        return send(out, HttpResponseStatus.METHOD_NOT_ALLOWED, errorBody(new ApiError("Only POST is allowed here.",
                ApiError.INVALID_REQUEST, null, "method_not_allowed")));
    }

    private byte[] errorBody(ApiError error) {
        return json.writeValueAsBytes(error.body());
    }

    private static Mono<Void> send(HttpServerResponse out, HttpResponseStatus status, byte[] body) {
        return out.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
                .sendByteArray(Mono.just(body))
                .then();
    }

    /** A request refused before it reached the scheduler. */
    private static final class Rejected extends RuntimeException {
        private final HttpResponseStatus status;
        private final ApiError error;

        Rejected(HttpResponseStatus status, ApiError error) {
            super(error.message(), null, false, false);
            this.status = status;
            this.error = error;
        }
    }
}
