package dev.switchboard.bench.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-turn chat: sessions start as a Poisson process; each turn's prompt is the whole conversation
 * so far (a system prompt shared by every session, then each earlier question and answer) plus a new
 * question, so turn {@code k+1} extends turn {@code k}'s prompt. Turns follow each other after a think
 * time drawn uniformly from {@code [0.5, 1.5] x thinkTime}, regardless of completions (open loop); the
 * answers in later prompts are synthetic, not what the engine said.
 *
 * @param sessions       number of conversations
 * @param turns          turns per conversation
 * @param systemTokens   shared system prompt tokens (0 for none)
 * @param questionTokens tokens of each new question
 * @param answerTokens   tokens of each answer (the output tokens of each turn)
 * @param sessionRate    mean session starts per second
 * @param thinkTime      mean time between two turns of a session
 * @param seed           seed of texts and times
 */
public record MultiTurnWorkload(int sessions, int turns, int systemTokens, int questionTokens, int answerTokens,
        double sessionRate, Duration thinkTime, long seed) {
    public MultiTurnWorkload {
        SharedPrefixWorkload.positive("sessions", sessions);
        SharedPrefixWorkload.positive("turns", turns);
        if (systemTokens < 0) {
            throw new IllegalArgumentException("system tokens must be >= 0, but was " + systemTokens);
        }
        SharedPrefixWorkload.positive("question tokens", questionTokens);
        SharedPrefixWorkload.positive("answer tokens", answerTokens);
        if (!(sessionRate > 0) || Double.isInfinite(sessionRate)) {
            throw new IllegalArgumentException("session rate must be a positive number per second, but was " + sessionRate);
        }
        if (thinkTime.isNegative()) {
            throw new IllegalArgumentException("think time must be >= 0, but was " + thinkTime);
        }
    }

    /** Preset {@code multi-turn}: 100 sessions x 6 turns, 1000 system / 150 question / 300 answer tokens, 1 session/s, 20 s think time. */
    public static MultiTurnWorkload preset(long seed) {
        return new MultiTurnWorkload(100, 6, 1000, 150, 300, 1.0, Duration.ofSeconds(20), seed);
    }

    /** {@link #preset} with {@code params} overriding any field. */
    public static MultiTurnWorkload preset(GeneratorParams params, long seed) {
        MultiTurnWorkload d = preset(seed);
        MultiTurnWorkload w = new MultiTurnWorkload(params.integer("sessions", d.sessions, 1),
                params.integer("turns", d.turns, 1),
                params.integer("system-tokens", d.systemTokens, 0),
                params.integer("question-tokens", d.questionTokens, 1),
                params.integer("answer-tokens", d.answerTokens, 1),
                params.positive("rate", d.sessionRate),
                params.duration("think-time", d.thinkTime), seed);
        params.finish();
        return w;
    }

    /** The requests. */
    public Workload generate(String name) {
        PoissonArrivals starts = new PoissonArrivals(sessionRate, Seeds.mix(seed, 1));
        List<TraceRequest> requests = new ArrayList<>(sessions * turns);
        long thinkNanos = thinkTime.toNanos();
        for (int s = 0; s < sessions; s++) {
            SplittableRandom thinks = new SplittableRandom(Seeds.mix(Seeds.DRAWS, seed, 2, s));
            String sessionId = "session-" + s;
            List<PromptMessage> history = new ArrayList<>();
            if (systemTokens > 0) {
                history.add(PromptMessage.of("system", new TextSegment(Seeds.mix(Seeds.SYSTEM_TEXT, seed), systemTokens)));
            }
            long at = starts.next();
            for (int t = 0; t < turns; t++) {
                if (t > 0) {
                    at += Math.round(thinkNanos * (0.5 + thinks.nextDouble()));
                }
                history.add(PromptMessage.of("user", new TextSegment(Seeds.mix(Seeds.TURN_TEXT, seed, s, t, 0), questionTokens)));
                requests.add(TraceRequest.of(at, null, new Prompt(history), answerTokens, sessionId));
                history.add(PromptMessage.of("assistant", new TextSegment(Seeds.mix(Seeds.TURN_TEXT, seed, s, t, 1), answerTokens)));
            }
        }
        return new Workload(name, requests);
    }
}
