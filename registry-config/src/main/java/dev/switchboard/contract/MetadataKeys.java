package dev.switchboard.contract;

import java.util.List;

/**
 * Keys of the engine metadata an adapter publishes in the service registry (Nacos instance
 * metadata, or static discovery metadata). {@link EngineDescriptor} is the typed view; these keys
 * are defined here and nowhere else.
 */
public final class MetadataKeys {
    /** Registry service name under which every adapter registers its engine. */
    public static final String ENGINES_SERVICE = "switchboard-engines";
    /** Registry service name of the scheduler. */
    public static final String SCHEDULER_SERVICE = "switchboard-scheduler";

    private static final String PREFIX = "switchboard.";

    public static final String ENDPOINT_ID = PREFIX + "endpoint-id";
    public static final String ROLE = PREFIX + "role";
    public static final String ENGINE_KIND = PREFIX + "engine-kind";
    public static final String MODEL = PREFIX + "model";
    /** Comma-separated LoRA adapter names served besides the base model. */
    public static final String LORAS = PREFIX + "loras";
    public static final String ENGINE_URL = PREFIX + "engine-url";
    public static final String GPU_TYPE = PREFIX + "gpu-type";
    public static final String GPU_COUNT = PREFIX + "gpu-count";
    public static final String GPU_MEMORY_GIB = PREFIX + "gpu-memory-gib";
    public static final String KV_BLOCK_SIZE = PREFIX + "kv-block-size";
    public static final String KV_CAPACITY_TOKENS = PREFIX + "kv-capacity-tokens";
    public static final String KV_BYTES_PER_TOKEN = PREFIX + "kv-bytes-per-token";
    public static final String MAX_MODEL_LEN = PREFIX + "max-model-len";
    public static final String PD_TRANSFER = PREFIX + "pd-transfer";
    public static final String BOOTSTRAP_PORT = PREFIX + "bootstrap-port";
    public static final String NODE = PREFIX + "node";
    public static final String ZONE = PREFIX + "zone";

    /** Every key above, in a stable order (used for docs and validation messages). */
    public static final List<String> ALL = List.of(ENDPOINT_ID, ROLE, ENGINE_KIND, MODEL, LORAS, ENGINE_URL,
            GPU_TYPE, GPU_COUNT, GPU_MEMORY_GIB, KV_BLOCK_SIZE, KV_CAPACITY_TOKENS, KV_BYTES_PER_TOKEN,
            MAX_MODEL_LEN, PD_TRANSFER, BOOTSTRAP_PORT, NODE, ZONE);

    private MetadataKeys() {
    }
}
