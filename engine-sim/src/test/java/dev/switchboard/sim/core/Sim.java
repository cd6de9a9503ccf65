package dev.switchboard.sim.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Test driver: runs an {@link EngineCore} in virtual time and records what each request saw. */
final class Sim {
    final EngineCore core;
    long now;
    final List<StepResult> steps = new ArrayList<>();
    final Map<String, Trace> traces = new LinkedHashMap<>();

    Sim(EngineCore core) {
        this.core = core;
    }

    /** Fixed-cost model: every step costs {@code base + perToken x tokens} nanoseconds. */
    static StepCostModel fixedCost(long baseNanos, long perTokenNanos) {
        return new StepCostModel() {
            @Override
            public long stepNanos(StepBatch batch) {
                return batch.isEmpty() ? 0 : baseNanos + perTokenNanos * batch.totalTokens();
            }

            @Override
            public long kvBytesPerToken() {
                return 131072;
            }
        };
    }

    static EngineCore llama(EngineConfig config) {
        return new EngineCore(config, new CalibratedStepCostModel(GpuProfiles.h100("llama-3-8b")));
    }

    /** Distinct token ids {@code seed*1_000_000 + i}, so prompts with different seeds share nothing. */
    static int[] tokens(int seed, int count) {
        return IntStream.range(0, count).map(i -> seed * 1_000_000 + i).toArray();
    }

    /** {@code shared} tokens of prefix seed 0, then distinct tokens of {@code seed}. */
    static int[] sharedPrefix(int shared, int seed, int count) {
        int[] t = tokens(seed, count);
        System.arraycopy(tokens(0, shared), 0, t, 0, Math.min(shared, count));
        return t;
    }

    Sim submit(CoreRequest r) {
        core.submit(r);
        traces.put(r.id(), new Trace(r.arrivalNanos()));
        return this;
    }

    Sim submit(String id, int[] tokens, int maxOutput) {
        return submit(CoreRequest.ofTokenIds(id, tokens, maxOutput, now));
    }

    /** One step; the clock moves to the result's next wake time (if any). */
    StepResult step() {
        StepResult r = core.step(now);
        steps.add(r);
        for (CoreEvent e : r.events()) {
            Trace t = traces.get(e.requestId());
            long at = e instanceof CoreEvent.Preempted ? r.startNanos() : r.endNanos();
            if (e instanceof CoreEvent.FirstToken f) {
                t.tokenTimes.add(at);
                t.firstToken = f;
                t.firstTokens++;
            } else if (e instanceof CoreEvent.Token tok) {
                t.outputIndexes.add(tok.outputIndex());
                t.tokenTimes.add(at);
            } else if (e instanceof CoreEvent.Finished fin) {
                t.finished = fin;
            } else if (e instanceof CoreEvent.Preempted) {
                t.preempted++;
            }
        }
        if (r.nextWakeNanos() != StepResult.NEVER) {
            now = Math.max(now, r.nextWakeNanos());
        }
        return r;
    }

    /** Steps until nothing is running or waiting (or {@code maxSteps}). */
    Sim runUntilDone(int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            EngineStats s = core.stats();
            if (s.running() == 0 && s.waiting() == 0) {
                return this;
            }
            StepResult r = step();
            if (r.idle() && r.nextWakeNanos() == StepResult.NEVER) {
                throw new AssertionError("engine stalled with work left: " + core.stats());
            }
        }
        throw new AssertionError("not done after " + maxSteps + " steps: " + core.stats());
    }

    Trace trace(String id) {
        return traces.get(id);
    }

    List<KvEvent> kvEvents() {
        return steps.stream().flatMap(s -> s.kvEvents().stream()).toList();
    }

    /** What one request saw. */
    static final class Trace {
        final long arrival;
        final List<Long> tokenTimes = new ArrayList<>();
        final List<Integer> outputIndexes = new ArrayList<>();
        CoreEvent.FirstToken firstToken;
        int firstTokens;
        CoreEvent.Finished finished;
        int preempted;

        Trace(long arrival) {
            this.arrival = arrival;
        }

        long ttftNanos() {
            return tokenTimes.get(0) - arrival;
        }

        /** Mean gap between consecutive tokens, ms. */
        double meanItlMillis() {
            long span = tokenTimes.get(tokenTimes.size() - 1) - tokenTimes.get(0);
            return span / 1e6 / (tokenTimes.size() - 1);
        }
    }
}
