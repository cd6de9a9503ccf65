package dev.switchboard.sim;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.contract.prompt.Tokenizer;
import net.openhft.hashing.LongHashFunction;
import reactor.core.publisher.Flux;

/**
 * One simulated engine. This version generates at a fixed per-token delay; the generation plan
 * (prompt tokens, answer length, finish reason) is what the HTTP layer needs and stays the same when
 * timing comes from a batching model.
 */
final class SimulatedEngine {
    private final SimProperties.Engine config;
    private final AtomicInteger running = new AtomicInteger();

    SimulatedEngine(SimProperties.Engine config) {
        this.config = config;
    }

    SimProperties.Engine config() {
        return config;
    }

    /** Requests currently generating. */
    int running() {
        return running.get();
    }

    /** Validates a request against this engine and plans its answer. */
    Generation plan(GenerationRequest request) {
        if (!config.model().equals(request.model())) {
            throw EngineApiException.notFound("The model `" + request.model() + "` does not exist.", "model");
        }
        int promptTokens = Tokenizer.countTokens(request.canonicalText());
        int[] range = config.outputRange();
        AnswerText answer = new AnswerText(LongHashFunction.xx3().hashChars(request.canonicalText()), range[0], range[1]);
        int budget = config.maxModelLen() - promptTokens;
        if (budget < 1 || (request.maxTokens() > 0 && request.maxTokens() > budget)) {
            int requested = request.maxTokens() > 0 ? request.maxTokens() : 1;
            throw EngineApiException.badRequest("This model's maximum context length is " + config.maxModelLen()
                    + " tokens. However, you requested " + requested + " output tokens and your prompt contains at least "
                    + promptTokens + " input tokens, for a total of at least " + (promptTokens + requested) + " tokens.",
                    request.chat() ? "messages" : "prompt");
        }
        int cap = request.maxTokens() > 0 ? request.maxTokens() : budget;
        int completionTokens = Math.min(answer.naturalLength(), cap);
        String finishReason = answer.naturalLength() > cap ? "length" : "stop";
        return new Generation(promptTokens, completionTokens, finishReason, answer);
    }

    /** Emits the planned tokens, one per token delay. */
    Flux<String> generate(Generation generation) {
        Duration delay = config.tokenDelay();
        Flux<Long> ticks = delay.isZero() ? Flux.range(0, generation.completionTokens()).map(Integer::longValue)
                : Flux.interval(delay).take(generation.completionTokens());
        return ticks.map(i -> generation.answer().nextToken())
                .doOnSubscribe(s -> running.incrementAndGet())
                .doFinally(signal -> running.decrementAndGet());
    }

    /**
     * A planned answer.
     *
     * @param promptTokens     tokens of the prompt
     * @param completionTokens tokens to generate
     * @param finishReason     {@code stop} or {@code length}
     * @param answer           the token source
     */
    record Generation(int promptTokens, int completionTokens, String finishReason, AnswerText answer) {
    }
}
