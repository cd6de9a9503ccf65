package dev.switchboard.contract;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The typed view of one engine's registry metadata: what it serves, on what hardware, and how its KV
 * cache is shaped. Adapters publish it with {@link #toMetadata()}; the scheduler reads it back with
 * {@link #fromMetadata(Map)}.
 *
 * <p>Optional numeric facts use {@code 0} for "unknown" (for example the KV capacity of an engine
 * that has not reported it yet); {@link #validate()} rejects negative values.
 *
 * @param endpointId       stable, unique name of the endpoint (for example {@code decode-1})
 * @param role             which part of a request the engine serves
 * @param engineKind       the engine software
 * @param model            served model name, as clients send it in {@code model}
 * @param loras            LoRA adapter names the engine serves besides the base model
 * @param engineUrl        the engine's own base URL, as seen from its adapter
 * @param gpuType          GPU product name, e.g. {@code H100-80GB}; {@code unknown} if not known
 * @param gpuCount         GPUs behind the engine (tensor parallel size)
 * @param gpuMemoryGib     memory of one GPU in GiB, 0 if unknown
 * @param kvBlockSize      tokens per KV block (page size)
 * @param kvCapacityTokens tokens the KV cache holds, 0 if unknown
 * @param kvBytesPerToken  KV bytes per token (all layers), 0 if unknown
 * @param maxModelLen      longest context (prompt + output) the engine accepts, 0 if unknown
 * @param pdTransfer       the KV transfer protocol for prefill/decode disaggregation
 * @param bootstrapPort    SGLang/Mooncake bootstrap port of a prefill engine, 0 if none
 * @param node             host or node name, for pairing locality; empty if unknown
 * @param zone             zone or rack, for pairing locality; empty if unknown
 */
public record EngineDescriptor(
        String endpointId,
        EngineRole role,
        EngineKind engineKind,
        String model,
        List<String> loras,
        URI engineUrl,
        String gpuType,
        int gpuCount,
        int gpuMemoryGib,
        int kvBlockSize,
        long kvCapacityTokens,
        long kvBytesPerToken,
        int maxModelLen,
        PdTransferKind pdTransfer,
        int bootstrapPort,
        String node,
        String zone) {

    public static final int DEFAULT_KV_BLOCK_SIZE = 16;
    public static final String UNKNOWN_GPU = "unknown";

    public EngineDescriptor {
        loras = List.copyOf(loras);
        node = node == null ? "" : node;
        zone = zone == null ? "" : zone;
        gpuType = gpuType == null || gpuType.isBlank() ? UNKNOWN_GPU : gpuType;
    }

    /** Whether a request needing {@code contextTokens} fits this engine's context; an unpublished one may. */
    public boolean fitsContext(long contextTokens) {
        return maxModelLen == 0 || contextTokens <= maxModelLen;
    }

    /**
     * This descriptor with the engine facts it does not know (0, or an unknown GPU) taken from
     * {@code reported}: the descriptor the engine's adapter resolved from the engine itself. Discovery
     * without Nacos (static instances) carries only what an operator wrote down; the adapter reads KV
     * capacity, context length and GPU facts from the engine. Identity, role, kind, model and address
     * stay as discovered.
     */
    public EngineDescriptor withFactsFrom(EngineDescriptor reported) {
        boolean gpuUnknown = UNKNOWN_GPU.equals(gpuType);
        if (!(gpuUnknown || gpuMemoryGib == 0 || kvCapacityTokens == 0 || kvBytesPerToken == 0 || maxModelLen == 0)) {
            return this;
        }
        return new EngineDescriptor(endpointId, role, engineKind, model, loras, engineUrl,
                gpuUnknown ? reported.gpuType : gpuType, gpuUnknown ? reported.gpuCount : gpuCount,
                gpuMemoryGib == 0 ? reported.gpuMemoryGib : gpuMemoryGib, kvBlockSize,
                kvCapacityTokens == 0 ? reported.kvCapacityTokens : kvCapacityTokens,
                kvBytesPerToken == 0 ? reported.kvBytesPerToken : kvBytesPerToken,
                maxModelLen == 0 ? reported.maxModelLen : maxModelLen, pdTransfer, bootstrapPort, node, zone);
    }

    /**
     * Checks every field and returns this descriptor, or throws one exception that lists every
     * problem found (so an operator fixes all of them in one go).
     */
    public EngineDescriptor validate() {
        List<String> problems = new ArrayList<>();
        requireText(problems, MetadataKeys.ENDPOINT_ID, endpointId);
        requireText(problems, MetadataKeys.MODEL, model);
        if (role == null) {
            problems.add(MetadataKeys.ROLE + " is required");
        }
        if (engineKind == null) {
            problems.add(MetadataKeys.ENGINE_KIND + " is required");
        }
        if (pdTransfer == null) {
            problems.add(MetadataKeys.PD_TRANSFER + " is required");
        }
        if (engineUrl == null) {
            problems.add(MetadataKeys.ENGINE_URL + " is required");
        } else if (!("http".equals(engineUrl.getScheme()) || "https".equals(engineUrl.getScheme()))
                || engineUrl.getHost() == null) {
            problems.add(MetadataKeys.ENGINE_URL + " must be an absolute http(s) URL, but was '" + engineUrl + "'");
        }
        atLeast(problems, MetadataKeys.GPU_COUNT, gpuCount, 1);
        atLeast(problems, MetadataKeys.GPU_MEMORY_GIB, gpuMemoryGib, 0);
        atLeast(problems, MetadataKeys.KV_BLOCK_SIZE, kvBlockSize, 1);
        atLeast(problems, MetadataKeys.KV_CAPACITY_TOKENS, kvCapacityTokens, 0);
        atLeast(problems, MetadataKeys.KV_BYTES_PER_TOKEN, kvBytesPerToken, 0);
        atLeast(problems, MetadataKeys.MAX_MODEL_LEN, maxModelLen, 0);
        if (bootstrapPort < 0 || bootstrapPort > 65535) {
            problems.add(MetadataKeys.BOOTSTRAP_PORT + " must be in [0, 65535], but was " + bootstrapPort);
        }
        for (String lora : loras) {
            if (lora.isBlank() || lora.contains(",")) {
                problems.add(MetadataKeys.LORAS + " entries must be non-blank and contain no comma, but got '"
                        + lora + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid engine descriptor"
                    + (endpointId == null ? "" : " '" + endpointId + "'") + ": " + String.join("; ", problems));
        }
        return this;
    }

    /** Whether this engine answers requests for {@code requestedModel} (base model or one of its LoRAs). */
    public boolean serves(String requestedModel) {
        return model.equals(requestedModel) || loras.contains(requestedModel);
    }

    /** Serialises to registry metadata; {@link #fromMetadata(Map)} reads it back unchanged. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MetadataKeys.ENDPOINT_ID, endpointId);
        m.put(MetadataKeys.ROLE, role.wireName());
        m.put(MetadataKeys.ENGINE_KIND, engineKind.wireName());
        m.put(MetadataKeys.MODEL, model);
        if (!loras.isEmpty()) {
            m.put(MetadataKeys.LORAS, String.join(",", loras));
        }
        m.put(MetadataKeys.ENGINE_URL, engineUrl.toString());
        m.put(MetadataKeys.GPU_TYPE, gpuType);
        m.put(MetadataKeys.GPU_COUNT, Integer.toString(gpuCount));
        m.put(MetadataKeys.GPU_MEMORY_GIB, Integer.toString(gpuMemoryGib));
        m.put(MetadataKeys.KV_BLOCK_SIZE, Integer.toString(kvBlockSize));
        m.put(MetadataKeys.KV_CAPACITY_TOKENS, Long.toString(kvCapacityTokens));
        m.put(MetadataKeys.KV_BYTES_PER_TOKEN, Long.toString(kvBytesPerToken));
        m.put(MetadataKeys.MAX_MODEL_LEN, Integer.toString(maxModelLen));
        m.put(MetadataKeys.PD_TRANSFER, pdTransfer.wireName());
        m.put(MetadataKeys.BOOTSTRAP_PORT, Integer.toString(bootstrapPort));
        if (!node.isEmpty()) {
            m.put(MetadataKeys.NODE, node);
        }
        if (!zone.isEmpty()) {
            m.put(MetadataKeys.ZONE, zone);
        }
        return m;
    }

    /**
     * Parses registry metadata. Keys that are not Switchboard's are ignored (registries add their
     * own); missing optional keys take their defaults; every malformed value is reported with its
     * key and the offending text in one {@link IllegalArgumentException}.
     */
    public static EngineDescriptor fromMetadata(Map<String, String> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        Parser p = new Parser(metadata);
        EngineDescriptor descriptor = new EngineDescriptor(
                p.text(MetadataKeys.ENDPOINT_ID),
                p.parse(MetadataKeys.ROLE, EngineRole::fromWire, null),
                p.parse(MetadataKeys.ENGINE_KIND, EngineKind::fromWire, null),
                p.text(MetadataKeys.MODEL),
                p.parse(MetadataKeys.LORAS, EngineDescriptor::splitLoras, List.of()),
                p.parse(MetadataKeys.ENGINE_URL, URI::create, null),
                p.parse(MetadataKeys.GPU_TYPE, Function.identity(), UNKNOWN_GPU),
                p.parse(MetadataKeys.GPU_COUNT, Integer::parseInt, 1),
                p.parse(MetadataKeys.GPU_MEMORY_GIB, Integer::parseInt, 0),
                p.parse(MetadataKeys.KV_BLOCK_SIZE, Integer::parseInt, DEFAULT_KV_BLOCK_SIZE),
                p.parse(MetadataKeys.KV_CAPACITY_TOKENS, Long::parseLong, 0L),
                p.parse(MetadataKeys.KV_BYTES_PER_TOKEN, Long::parseLong, 0L),
                p.parse(MetadataKeys.MAX_MODEL_LEN, Integer::parseInt, 0),
                p.parse(MetadataKeys.PD_TRANSFER, PdTransferKind::fromWire, PdTransferKind.NONE),
                p.parse(MetadataKeys.BOOTSTRAP_PORT, Integer::parseInt, 0),
                p.parse(MetadataKeys.NODE, Function.identity(), ""),
                p.parse(MetadataKeys.ZONE, Function.identity(), ""));
        if (!p.problems.isEmpty()) {
            String id = metadata.get(MetadataKeys.ENDPOINT_ID);
            throw new IllegalArgumentException("invalid engine metadata" + (id == null ? "" : " of '" + id + "'")
                    + ": " + String.join("; ", p.problems));
        }
        return descriptor.validate();
    }

    private static List<String> splitLoras(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static void requireText(List<String> problems, String key, String value) {
        if (value == null || value.isBlank()) {
            problems.add(key + " is required");
        }
    }

    private static void atLeast(List<String> problems, String key, long value, long min) {
        if (value < min) {
            problems.add(key + " must be >= " + min + ", but was " + value);
        }
    }

    /** Collects parse problems instead of stopping at the first one. */
    private static final class Parser {
        private final Map<String, String> metadata;
        private final List<String> problems = new ArrayList<>();

        Parser(Map<String, String> metadata) {
            this.metadata = metadata;
        }

        String text(String key) {
            String value = metadata.get(key);
            return value == null ? null : value.trim();
        }

        <T> T parse(String key, Function<String, T> parser, T defaultValue) {
            String raw = metadata.get(key);
            if (raw == null || raw.isBlank()) {
                return defaultValue;
            }
            try {
                return parser.apply(raw.trim());
            } catch (IllegalArgumentException e) {
                String reason = e instanceof NumberFormatException ? "not a number" : e.getMessage();
                problems.add(key + " has invalid value '" + raw + "' (" + reason + ")");
                return defaultValue;
            }
        }
    }
}
