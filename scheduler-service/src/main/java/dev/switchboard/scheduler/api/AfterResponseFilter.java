package dev.switchboard.scheduler.api;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.switchboard.scheduler.service.AfterResponse;
import reactor.core.publisher.Mono;

/**
 * Gives every {@code /v1/schedule} exchange an {@link AfterResponse} and runs it once the answer is written (the
 * handler's result completes when the response is flushed), so a decision answers before it teaches the prefix
 * index.
 */
@Component
public class AfterResponseFilter implements WebFilter {
    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().equals(ScheduleController.SCHEDULE_PATH)) {
            return chain.filter(exchange);
        }
        AfterResponse after = new AfterResponse();
        return chain.filter(exchange)
                .doFinally(signal -> after.run())
                .contextWrite(context -> context.put(AfterResponse.CONTEXT_KEY, after));
    }
}
