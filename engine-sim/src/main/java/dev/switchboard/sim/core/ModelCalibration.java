package dev.switchboard.sim.core;

import java.util.Objects;

/**
 * Shape and per-operator timings of one model on one GPU: the inputs of the step-time formula.
 *
 * <p>All timings are of ONE decoder layer except the LM head, in milliseconds, as in
 * {@code calibration/h100-ops.json}.
 *
 * @param model            model name, e.g. {@code llama-3-8b}
 * @param layers           decoder layers
 * @param hidden           hidden size
 * @param heads            attention (query) heads
 * @param kvHeads          key/value heads (GQA)
 * @param headDim          head dimension
 * @param intermediate     MLP intermediate size
 * @param vocab            vocabulary size
 * @param kvBytesPerToken  KV-cache bytes per token over all layers ({@code 2·layers·kvHeads·headDim·2} in BF16)
 * @param weightBytes      bytes of all weights
 * @param denseLayer       all matmuls and norms of one layer, by tokens in the step
 * @param lmHead           the vocabulary projection, by sequences sampling a token
 * @param decodeAttention  decode attention of one layer, by batch and context
 * @param prefillAttention causal prefill attention of one layer, by query-key pairs
 *                         ({@link #causalPairs}); built from the calibration's {@code cached_tokens=0}
 *                         points (the {@code cached>0} points used a slower masked kernel)
 */
public record ModelCalibration(String model, int layers, int hidden, int heads, int kvHeads, int headDim,
                               int intermediate, int vocab, long kvBytesPerToken, long weightBytes,
                               LatencyCurve denseLayer, LatencyCurve lmHead, DecodeAttentionGrid decodeAttention,
                               LatencyCurve prefillAttention) {

    /** Smallest context slice (tokens) of split-KV decoding, see {@link #decodeAttentionMs}. */
    public static final int MIN_SPLIT_CONTEXT = 1024;

    /** Validates the shape. */
    public ModelCalibration {
        Objects.requireNonNull(model, "model");
        positive("layers", layers);
        positive("hidden", hidden);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("intermediate", intermediate);
        positive("vocab", vocab);
        positive("kvBytesPerToken", kvBytesPerToken);
        positive("weightBytes", weightBytes);
        Objects.requireNonNull(denseLayer, "denseLayer");
        Objects.requireNonNull(lmHead, "lmHead");
        Objects.requireNonNull(decodeAttention, "decodeAttention");
        Objects.requireNonNull(prefillAttention, "prefillAttention");
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, but was " + value);
        }
    }

    /**
     * Query-key pairs of causal attention for {@code newTokens} queries on top of {@code cachedTokens}:
     * each new token {@code j} (1-based) attends to {@code cached + j} keys. Attention FLOPs are
     * proportional to this.
     */
    public static double causalPairs(int newTokens, int cachedTokens) {
        return (double) newTokens * cachedTokens + (double) newTokens * (newTokens + 1) / 2.0;
    }

    /** Dense part of one layer for a step of {@code tokens} tokens, ms. */
    public double denseLayerMs(int tokens) {
        return tokens <= 0 ? 0 : denseLayer.at(tokens);
    }

    /** LM head for {@code sequences} sequences that sample a token, ms. */
    public double lmHeadMs(int sequences) {
        return sequences <= 0 ? 0 : lmHead.at(sequences);
    }

    /**
     * One layer's decode attention for {@code batch} sequences with mean context {@code meanContext}, ms.
     *
     * <p>Split-KV (FlashDecoding): with few sequences, engines split each long context into {@code s}
     * slices processed in parallel, which costs about what {@code batch x s} sequences of
     * {@code context / s} tokens cost. The calibration's kernel did not split (batch 1 at 16k context
     * reaches 0.36 TB/s, batch 32 at 16k 3.1 TB/s), so the time is the best over power-of-two splits
     * whose slices keep at least {@value #MIN_SPLIT_CONTEXT} tokens. Large batches gain nothing (they
     * already saturate bandwidth) and 1k-context lookups are the table's own values; batch-1 decode at 4k
     * context comes out at 6.75 ms (measured end to end: 6.42 ms) instead of 7.82 ms.
     */
    public double decodeAttentionMs(int batch, double meanContext) {
        if (batch <= 0) {
            return 0;
        }
        double best = decodeAttention.at(batch, meanContext);
        for (int s = 2; meanContext / s >= MIN_SPLIT_CONTEXT; s *= 2) {
            best = Math.min(best, decodeAttention.at(batch * s, meanContext / s));
        }
        return best;
    }

    /**
     * One layer's attention for a prefill chunk, ms: the larger of the FLOP-scaled estimate and the
     * time to read the chunk's KV once (the decode curve at batch 1), because a short chunk on a long
     * cached prefix is bandwidth bound, not compute bound.
     */
    public double prefillAttentionMs(int newTokens, int cachedTokens) {
        if (newTokens <= 0) {
            return 0;
        }
        double compute = prefillAttention.at(causalPairs(newTokens, cachedTokens));
        double kvRead = decodeAttentionMs(1, (double) cachedTokens + newTokens);
        return Math.max(compute, kvRead);
    }

    /** Weight parameters of one decoder layer (attention projections and gated MLP). */
    long parametersPerLayer() {
        long q = (long) hidden * heads * headDim;
        long kv = 2L * hidden * kvHeads * headDim;
        long o = (long) heads * headDim * hidden;
        long mlp = 3L * hidden * intermediate;
        return q + kv + o + mlp;
    }

    // Roofline work of each operator, used only to derive another GPU's profile (GpuProfile.derive).
    // Approximate on purpose: what matters is which side of the ridge point an operator sits on.

    double denseFlops(double tokens) {
        return 2.0 * tokens * parametersPerLayer();
    }

    double denseBytes(double tokens) {
        // weights once, plus BF16 activations in and out of each projection
        return 2.0 * parametersPerLayer() + 2.0 * tokens * (4.0 * hidden + 2.0 * intermediate);
    }

    double decodeAttentionFlops(double batch, double context) {
        return 4.0 * batch * context * heads * headDim;
    }

    double decodeAttentionBytes(double batch, double context) {
        return batch * context * ((double) kvBytesPerToken / layers);
    }

    double prefillAttentionFlops(double pairs) {
        return 4.0 * pairs * heads * headDim;
    }

    double prefillAttentionBytes(double pairs) {
        // the curve's points are cached=0 prefills: recover their new-token count from the pairs
        double tokens = (Math.sqrt(8.0 * pairs + 1.0) - 1.0) / 2.0;
        return tokens * ((double) kvBytesPerToken / layers) + tokens * 4.0 * heads * headDim;
    }

    double lmHeadFlops(double sequences) {
        return 2.0 * sequences * vocab * hidden;
    }

    double lmHeadBytes(double sequences) {
        return 2.0 * vocab * hidden + 4.0 * sequences * vocab;
    }
}
