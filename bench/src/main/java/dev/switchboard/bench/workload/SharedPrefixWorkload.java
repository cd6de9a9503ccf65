package dev.switchboard.bench.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Groups of prompts that share a long system prompt: {@code groups x promptsPerGroup} requests, each
 * a system message shared by its group plus a question of its own, in a random order (per seed) with
 * Poisson arrivals. Models a multi-customer SaaS whose customers each have their own instructions.
 *
 * @param groups          number of distinct system prompts
 * @param promptsPerGroup questions per system prompt
 * @param systemTokens    system prompt tokens
 * @param questionTokens  question tokens
 * @param outputTokens    tokens to generate per request
 * @param ratePerSecond   mean arrival rate
 * @param seed            seed of texts, order and arrivals
 */
public record SharedPrefixWorkload(int groups, int promptsPerGroup, int systemTokens, int questionTokens,
        int outputTokens, double ratePerSecond, long seed) {
    public SharedPrefixWorkload {
        positive("groups", groups);
        positive("prompts per group", promptsPerGroup);
        positive("system tokens", systemTokens);
        positive("question tokens", questionTokens);
        positive("output tokens", outputTokens);
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of requests/s, but was " + ratePerSecond);
        }
    }

    /** Preset {@code b2b-saas}: 150 groups x 5 prompts, 6000 system / 1200 question / 1000 output tokens, 5 req/s. */
    public static SharedPrefixWorkload b2bSaas(long seed) {
        return new SharedPrefixWorkload(150, 5, 6000, 1200, 1000, 5.0, seed);
    }

    /** {@link #b2bSaas} with {@code params} overriding any field (keys in kebab case). */
    public static SharedPrefixWorkload b2bSaas(GeneratorParams params, long seed) {
        SharedPrefixWorkload d = b2bSaas(seed);
        SharedPrefixWorkload w = new SharedPrefixWorkload(params.integer("groups", d.groups, 1),
                params.integer("prompts-per-group", d.promptsPerGroup, 1),
                params.integer("system-tokens", d.systemTokens, 1),
                params.integer("question-tokens", d.questionTokens, 1),
                params.integer("output-tokens", d.outputTokens, 1),
                params.positive("rate", d.ratePerSecond), seed);
        params.finish();
        return w;
    }

    /** The requests. */
    public Workload generate(String name) {
        List<int[]> order = new ArrayList<>(groups * promptsPerGroup);
        for (int g = 0; g < groups; g++) {
            for (int p = 0; p < promptsPerGroup; p++) {
                order.add(new int[] {g, p});
            }
        }
        Collections.shuffle(order, new Random(Seeds.mix(Seeds.DRAWS, seed, 1)));
        PoissonArrivals arrivals = new PoissonArrivals(ratePerSecond, Seeds.mix(seed, 2));
        List<TraceRequest> requests = new ArrayList<>(order.size());
        for (int[] gp : order) {
            Prompt prompt = new Prompt(List.of(
                    PromptMessage.of("system", new TextSegment(Seeds.mix(Seeds.SYSTEM_TEXT, seed, gp[0]), systemTokens)),
                    PromptMessage.of("user", new TextSegment(Seeds.mix(Seeds.TURN_TEXT, seed, gp[0], gp[1]), questionTokens))));
            requests.add(TraceRequest.of(arrivals.next(), null, prompt, outputTokens, null));
        }
        return new Workload(name, requests);
    }

    static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, but was " + value);
        }
    }
}
