package dev.switchboard.bench.des;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

import dev.switchboard.bench.workload.SyntheticText;
import dev.switchboard.bench.workload.TraceRequest;
import dev.switchboard.bench.workload.Workload;
import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.prompt.Tokenizer;
import net.openhft.hashing.LongHashFunction;

/**
 * A workload whose prompts have been rendered and hashed exactly as the gateway does
 * ({@code PromptText.ofChat} of the messages, {@link Tokenizer#countTokens}, {@link PromptBlocks#hash}
 * with no {@code cache_salt}), so prefix sharing in the replay is the real one. Preparing is the
 * expensive part of a replay (the text of an hour of Mooncake is ~580 M characters), so it is done
 * once, in parallel, and {@link #atRateScale} re-times the same requests for other load points.
 *
 * @param name          workload name
 * @param model         model the requests ask for (part of the hash seed)
 * @param baseRateScale the rate scale the arrival times already carry
 * @param requests      requests by arrival
 */
public record PreparedWorkload(String name, String model, double baseRateScale, List<DesRequest> requests) {
    public PreparedWorkload {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        if (!(baseRateScale > 0) || Double.isInfinite(baseRateScale)) {
            throw new IllegalArgumentException("baseRateScale must be a positive finite number, but was " + baseRateScale);
        }
        requests = List.copyOf(requests);
    }

    /**
     * Renders and hashes every prompt of {@code workload} (in parallel; the result does not depend on
     * the thread count).
     *
     * @param rateScale the rate scale already applied to {@code workload}
     */
    public static PreparedWorkload prepare(Workload workload, String model, double rateScale, SyntheticText text) {
        List<TraceRequest> in = workload.requests();
        DesRequest[] out = new DesRequest[in.size()];
        IntStream.range(0, in.size()).parallel().forEach(i -> {
            TraceRequest r = in.get(i);
            String canonical = r.prompt().canonicalText(text);
            out[i] = new DesRequest(i, r.arrivalNanos(), r.tenant(), r.sessionId(), Tokenizer.countTokens(canonical),
                    r.outputTokens(), PromptBlocks.hash(model, null, canonical),
                    LongHashFunction.xx3().hashChars(canonical));
        });
        return new PreparedWorkload(workload.name(), model, rateScale, List.of(out));
    }

    /** The same requests with arrival times for {@code rateScale} (relative to the trace's own rate). */
    public PreparedWorkload atRateScale(double rateScale) {
        if (!(rateScale > 0) || Double.isInfinite(rateScale)) {
            throw new IllegalArgumentException("rate scale must be a positive finite number, but was " + rateScale);
        }
        if (rateScale == baseRateScale) {
            return this;
        }
        double factor = baseRateScale / rateScale;
        List<DesRequest> out = new ArrayList<>(requests.size());
        for (DesRequest r : requests) {
            out.add(r.withArrivalNanos(Math.round(r.arrivalNanos() * factor)));
        }
        return new PreparedWorkload(name, model, rateScale, out);
    }

    /** Number of requests. */
    public int size() {
        return requests.size();
    }

    /** Sum of prompt tokens. */
    public long promptTokens() {
        return requests.stream().mapToLong(DesRequest::promptTokens).sum();
    }
}
