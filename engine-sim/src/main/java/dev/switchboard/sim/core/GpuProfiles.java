package dev.switchboard.sim.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Loads GPU profiles from calibration JSON (the only class of this package that uses Jackson).
 *
 * <p>The bundled {@value #H100_RESOURCE} is a copy of {@code shared/calibration/h100-ops.json}: operator
 * timings measured on one H100 80GB HBM3 for {@code llama-3-8b} and {@code qwen2.5-7b}. Other GPUs: see
 * {@link GpuProfile} ("Adding a GPU").
 */
public final class GpuProfiles {
    /** Classpath location of the measured H100 calibration. */
    public static final String H100_RESOURCE = "/calibration/h100-ops.json";

    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // new measurement fields must not break older simulators
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private GpuProfiles() {
    }

    /** The measured H100 80GB profile of {@code model} ({@code llama-3-8b} or {@code qwen2.5-7b}). */
    public static GpuProfile h100(String model) {
        return pick(H100Holder.PROFILES, model);
    }

    /** Models with a bundled H100 profile. */
    public static List<String> h100Models() {
        return List.copyOf(H100Holder.PROFILES.keySet());
    }

    /** The A100 80GB profile of {@code model}, derived from the H100 measurements by datasheet ratios. */
    public static GpuProfile a100(String model) {
        return h100(model).derive(GpuSpec.A100_80GB);
    }

    /**
     * Parses a calibration file measured on {@code gpu}.
     *
     * @return profiles by model name, in file order
     */
    public static Map<String, GpuProfile> load(InputStream json, GpuSpec gpu) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(gpu, "gpu");
        CalibrationFile file = JSON.readValue(json, CalibrationFile.class);
        if (file.models() == null || file.models().isEmpty()) {
            throw new IllegalArgumentException("calibration has no models");
        }
        Map<String, GpuProfile> out = new LinkedHashMap<>();
        for (ModelEntry entry : file.models()) {
            ModelCalibration model = entry.toCalibration();
            out.put(model.model(), new GpuProfile(gpu, model, false));
        }
        return Collections.unmodifiableMap(out);
    }

    private static GpuProfile pick(Map<String, GpuProfile> profiles, String model) {
        GpuProfile p = profiles.get(Objects.requireNonNull(model, "model"));
        if (p == null) {
            throw new IllegalArgumentException("no calibration for model '" + model + "'; known: " + profiles.keySet());
        }
        return p;
    }

    /** Lazy holder: the bundled file is parsed once, on first use. */
    private static final class H100Holder {
        static final Map<String, GpuProfile> PROFILES = loadBundled();

        private static Map<String, GpuProfile> loadBundled() {
            try (InputStream in = GpuProfiles.class.getResourceAsStream(H100_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing classpath resource " + H100_RESOURCE);
                }
                return load(in, GpuSpec.H100_80GB_HBM3);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + H100_RESOURCE, e);
            }
        }
    }

    // --- JSON shape of calibration/*.json (snake_case keys) ---

    record CalibrationFile(String device, String torch, List<ModelEntry> models) {
    }

    record TokensPoint(int tokens, double ms) {
    }

    record DecodeAttnPoint(int batch, int context, double ms) {
    }

    record PrefillAttnPoint(int newTokens, int cachedTokens, double ms) {
    }

    record ModelEntry(String model, int layers, int hidden, int heads, int kvHeads, int headDim, int inter, int vocab,
                      long kvBytesPerToken, long weightBytes, List<TokensPoint> denseLayerMs, List<TokensPoint> lmHeadMs,
                      List<DecodeAttnPoint> decodeAttnLayerMs, List<PrefillAttnPoint> prefillAttnLayerMs) {

        ModelCalibration toCalibration() {
            require(model != null, "model name");
            require(denseLayerMs != null && !denseLayerMs.isEmpty(), model + ": dense_layer_ms");
            require(lmHeadMs != null && !lmHeadMs.isEmpty(), model + ": lm_head_ms");
            require(decodeAttnLayerMs != null && !decodeAttnLayerMs.isEmpty(), model + ": decode_attn_layer_ms");
            require(prefillAttnLayerMs != null && !prefillAttnLayerMs.isEmpty(), model + ": prefill_attn_layer_ms");
            return new ModelCalibration(model, layers, hidden, heads, kvHeads, headDim, inter, vocab, kvBytesPerToken,
                    weightBytes, byTokens(denseLayerMs), byTokens(lmHeadMs), decodeGrid(), prefillByPairs());
        }

        private static void require(boolean ok, String what) {
            if (!ok) {
                throw new IllegalArgumentException("calibration is missing " + what);
            }
        }

        private static LatencyCurve byTokens(List<TokensPoint> points) {
            TreeMap<Double, Double> sorted = new TreeMap<>();
            points.forEach(p -> sorted.put((double) p.tokens(), p.ms()));
            return curve(sorted);
        }

        private DecodeAttentionGrid decodeGrid() {
            Map<Integer, TreeMap<Double, Double>> rows = new TreeMap<>();
            for (DecodeAttnPoint p : decodeAttnLayerMs) {
                rows.computeIfAbsent(p.batch(), b -> new TreeMap<>()).put((double) p.context(), p.ms());
            }
            Map<Integer, LatencyCurve> curves = new TreeMap<>();
            rows.forEach((batch, row) -> curves.put(batch, curve(row)));
            return DecodeAttentionGrid.of(curves);
        }

        private LatencyCurve prefillByPairs() {
            // Only cached=0 points: the cached>0 ones used a slower masked kernel (calibration README).
            TreeMap<Double, Double> sorted = new TreeMap<>();
            for (PrefillAttnPoint p : prefillAttnLayerMs) {
                if (p.cachedTokens() == 0) {
                    sorted.put(ModelCalibration.causalPairs(p.newTokens(), 0), p.ms());
                }
            }
            require(!sorted.isEmpty(), model + ": prefill_attn_layer_ms points with cached_tokens=0");
            return curve(sorted);
        }

        private static LatencyCurve curve(TreeMap<Double, Double> sorted) {
            double[] xs = new double[sorted.size()];
            double[] ms = new double[sorted.size()];
            int i = 0;
            for (Map.Entry<Double, Double> e : sorted.entrySet()) {
                xs[i] = e.getKey();
                ms[i] = e.getValue();
                i++;
            }
            return LatencyCurve.of(xs, ms);
        }
    }
}
