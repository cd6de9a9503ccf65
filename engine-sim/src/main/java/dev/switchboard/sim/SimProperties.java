package dev.switchboard.sim;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.sim.core.EngineConfig;
import dev.switchboard.sim.core.GpuProfiles;

/**
 * Engines this process simulates ({@code switchboard.sim.*}). Validated at startup: a bad value
 * stops the process with a message naming the property.
 *
 * @param bindHost address every engine listens on (loopback by default); also the {@code remote_host}
 *                 a prefill engine hands out in {@code kv_transfer_params}
 * @param speed    how many times faster than real time every engine runs (1 = an H100's pace); step
 *                 times, transfer waits and latency metrics stay in simulated time
 * @param instant  steps take no wall time at all (overhead benchmarks); overrides {@code speed}
 * @param engines  the engines, at least one
 */
@ConfigurationProperties(SimProperties.PREFIX)
public record SimProperties(@DefaultValue("127.0.0.1") String bindHost, @DefaultValue("1.0") double speed,
        @DefaultValue("false") boolean instant, List<Engine> engines) {
    public static final String PREFIX = "switchboard.sim";

    public SimProperties {
        if (engines == null || engines.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + ".engines must list at least one engine");
        }
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException(PREFIX + ".speed must be a finite number > 0 (use " + PREFIX
                    + ".instant=true for zero step time), but was " + speed);
        }
        engines = List.copyOf(engines);
        Set<Integer> ports = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < engines.size(); i++) {
            Engine e = engines.get(i);
            if (!ports.add(e.port())) {
                throw new IllegalArgumentException(PREFIX + ".engines[" + i + "].port " + e.port() + " is used twice");
            }
            if (!ids.add(e.id())) {
                throw new IllegalArgumentException(PREFIX + ".engines[" + i + "].id '" + e.id() + "' is used twice");
            }
        }
    }

    /** GPU whose timings and memory an engine simulates. */
    public enum Gpu {
        /** H100 80GB HBM3, measured ({@code calibration/h100-ops.json}). */
        H100,
        /** A100 80GB, derived from the H100 measurements by datasheet ratios. */
        A100
    }

    /** Encoding of the events inside a KV-event batch (engine-protocols.md 3.2). */
    public enum KvEventsFormat {
        /** Positional arrays, vLLM up to mid-2026 ({@code array_like=True}). */
        ARRAY,
        /** Maps keyed by field name with a {@code type} key, vLLM since PR #42892. */
        MAP
    }

    /**
     * Faults an engine starts with (also settable at runtime with {@code POST /sim/faults}).
     *
     * @param crash     the engine's port is closed: connections are refused, in-flight requests are cut
     * @param hang      requests are accepted but never answered, running requests stop producing tokens
     * @param slowdown  every step takes this many times longer (a slow or throttled GPU); 1 = normal
     * @param errorRate fraction of generation requests answered with a 503 error envelope, in [0, 1]
     */
    public record Faults(@DefaultValue("false") boolean crash, @DefaultValue("false") boolean hang,
            @DefaultValue("1.0") double slowdown, @DefaultValue("0.0") double errorRate) {

        /** No fault. */
        public static final Faults NONE = new Faults(false, false, 1.0, 0.0);

        public Faults {
            if (!(slowdown > 0) || Double.isInfinite(slowdown)) {
                throw new IllegalArgumentException("faults.slowdown must be a finite number > 0, but was " + slowdown);
            }
            if (!(errorRate >= 0 && errorRate <= 1)) {
                throw new IllegalArgumentException("faults.error-rate must be in [0, 1], but was " + errorRate);
            }
        }
    }

    /**
     * One simulated engine.
     *
     * @param id                    name in logs, the {@code remote_engine_id} of P/D and the default KV-event
     *                              topic (defaults to {@code engine-<port>})
     * @param port                  HTTP port of the engine's API
     * @param kind                  engine surface to imitate: {@code vllm} or {@code sglang}
     * @param role                  unified, prefill or decode (SGLang's {@code disaggregation_mode})
     * @param model                 served model name (what clients put in {@code model})
     * @param calibrationModel      which calibrated model prices the steps and sizes the KV cache
     *                              ({@code llama-3-8b} or {@code qwen2.5-7b}); the served name may differ
     * @param gpu                   {@code h100} or {@code a100}
     * @param maxModelLen           longest prompt + output accepted
     * @param tokenDelay            LEGACY fixed-delay mode: when set, every engine step lasts exactly this
     *                              long whatever its batch (so time to first token and inter-token latency
     *                              are both about this value), instead of the calibrated step time; the KV
     *                              cache, batching limits and metrics are modelled as usual. Unset by default
     * @param outputTokens          natural answer length range "min-max" (the answer stops with
     *                              {@code stop} there unless {@code max_tokens} is smaller)
     * @param tokenBudget           tokens per step ({@code max_num_batched_tokens}); default by GPU
     *                              (8192 on H100, 2048 on A100)
     * @param maxNumSeqs            running sequences cap ({@code max_num_seqs}); default by GPU (1024 / 256)
     * @param gpuMemoryUtilization  fraction of GPU memory for weights + KV cache
     * @param numGpuBlocksOverride  KV capacity override in blocks ({@code num_gpu_blocks_override});
     *                              default: computed from GPU memory, utilisation and the model
     * @param blockSize             tokens per KV block (and per prompt hash block)
     * @param prefixCaching         whether full blocks are reused across requests
     * @param kvLinkGbPerSecond     P/D transfer bandwidth into this engine, decimal GB/s
     * @param kvTransferSetup       fixed cost of one P/D transfer
     * @param kvPickupTimeout       how long a prefill leg's KV stays pinned waiting for its decode leg
     * @param sideChannelPort       {@code remote_port} a prefill leg hands out (vLLM's NIXL side channel)
     * @param bootstrapPort         SGLang {@code disaggregation_bootstrap_port} reported in /server_info
     * @param bootstrapTimeout      how long an SGLang decode leg waits for its prefill leg's room
     * @param kvEventsEndpoint      ZeroMQ endpoint of the KV-event PUB socket, or unset for none; binds if
     *                              it contains {@code *}, {@code ::} or is ipc/inproc, else connects (as vLLM)
     * @param kvEventsReplayEndpoint ROUTER endpoint that replays buffered batches, or unset
     * @param kvEventsTopic         topic frame of every KV-event message (vLLM's default is empty; llm-d
     *                              expects {@code kv@<pod>@<model>})
     * @param kvEventsFormat        {@code array} (positional events) or {@code map} (keyed events)
     * @param faults                faults active from startup
     */
    public record Engine(
            String id,
            int port,
            @DefaultValue("vllm") EngineKind kind,
            @DefaultValue("unified") EngineRole role,
            @DefaultValue("llama-3-8b") String model,
            @DefaultValue("llama-3-8b") String calibrationModel,
            @DefaultValue("h100") Gpu gpu,
            @DefaultValue("32768") int maxModelLen,
            Duration tokenDelay,
            @DefaultValue("32-256") String outputTokens,
            Integer tokenBudget,
            Integer maxNumSeqs,
            @DefaultValue("0.9") double gpuMemoryUtilization,
            Integer numGpuBlocksOverride,
            @DefaultValue("16") int blockSize,
            @DefaultValue("true") boolean prefixCaching,
            @DefaultValue("25") double kvLinkGbPerSecond,
            @DefaultValue("1ms") Duration kvTransferSetup,
            @DefaultValue("480s") Duration kvPickupTimeout,
            @DefaultValue("5600") int sideChannelPort,
            @DefaultValue("8998") int bootstrapPort,
            @DefaultValue("30s") Duration bootstrapTimeout,
            String kvEventsEndpoint,
            String kvEventsReplayEndpoint,
            @DefaultValue("") String kvEventsTopic,
            @DefaultValue("array") KvEventsFormat kvEventsFormat,
            Faults faults) {

        public Engine {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(PREFIX + ".engines[].port must be in [1, 65535], but was " + port);
            }
            id = id == null || id.isBlank() ? "engine-" + port : id;
            String at = PREFIX + ".engines[id=" + id + "].";
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException(at + "model must not be blank");
            }
            calibrationModel = calibrationModel.toLowerCase(Locale.ROOT);
            if (!GpuProfiles.h100Models().contains(calibrationModel)) {
                throw new IllegalArgumentException(at + "calibration-model must be one of " + GpuProfiles.h100Models()
                        + ", but was '" + calibrationModel + "'");
            }
            if (maxModelLen < 1) {
                throw new IllegalArgumentException(at + "max-model-len must be >= 1, but was " + maxModelLen);
            }
            if (tokenDelay != null && tokenDelay.isNegative()) {
                throw new IllegalArgumentException(at + "token-delay must be >= 0, but was " + tokenDelay);
            }
            outputRange(at, outputTokens);
            positive(at + "token-budget", tokenBudget);
            positive(at + "max-num-seqs", maxNumSeqs);
            if (numGpuBlocksOverride != null && numGpuBlocksOverride < 2) {
                throw new IllegalArgumentException(at + "num-gpu-blocks-override must be >= 2, but was "
                        + numGpuBlocksOverride);
            }
            if (!(gpuMemoryUtilization > 0) || gpuMemoryUtilization > 1) {
                throw new IllegalArgumentException(at + "gpu-memory-utilization must be in (0, 1], but was "
                        + gpuMemoryUtilization);
            }
            if (blockSize < 1) {
                throw new IllegalArgumentException(at + "block-size must be >= 1, but was " + blockSize);
            }
            if (!(kvLinkGbPerSecond > 0) || Double.isInfinite(kvLinkGbPerSecond)) {
                throw new IllegalArgumentException(at + "kv-link-gb-per-second must be a finite number > 0, but was "
                        + kvLinkGbPerSecond);
            }
            if (kvTransferSetup.isNegative()) {
                throw new IllegalArgumentException(at + "kv-transfer-setup must be >= 0, but was " + kvTransferSetup);
            }
            if (kvPickupTimeout.isNegative() || kvPickupTimeout.isZero()) {
                throw new IllegalArgumentException(at + "kv-pickup-timeout must be > 0, but was " + kvPickupTimeout);
            }
            if (bootstrapTimeout.isNegative() || bootstrapTimeout.isZero()) {
                throw new IllegalArgumentException(at + "bootstrap-timeout must be > 0, but was " + bootstrapTimeout);
            }
            kvEventsEndpoint = blankToNull(kvEventsEndpoint);
            kvEventsReplayEndpoint = blankToNull(kvEventsReplayEndpoint);
            if (kvEventsEndpoint != null && !kvEventsEndpoint.matches("(tcp|ipc|inproc)://.+")) {
                throw new IllegalArgumentException(at + "kv-events-endpoint must look like tcp://host:port, "
                        + "ipc://path or inproc://name, but was '" + kvEventsEndpoint + "'");
            }
            if (kvEventsReplayEndpoint != null && kvEventsEndpoint == null) {
                throw new IllegalArgumentException(at + "kv-events-replay-endpoint needs kv-events-endpoint");
            }
            faults = faults == null ? Faults.NONE : faults;
        }

        /** A unified vLLM engine with defaults (tests and examples). */
        public static Engine of(String id, int port, EngineKind kind, EngineRole role, String model) {
            return new Engine(id, port, kind, role, model, "llama-3-8b", Gpu.H100, 32768, null, "32-256", null, null,
                    0.9, null, 16, true, 25, Duration.ofMillis(1), Duration.ofSeconds(480), 5600, 8998,
                    Duration.ofSeconds(30), null, null, "", KvEventsFormat.ARRAY, null);
        }

        /** A copy with other KV-cache sizing and timing (tests). */
        public Engine withKv(Integer numGpuBlocks, Duration fixedStep) {
            return new Engine(id, port, kind, role, model, calibrationModel, gpu, maxModelLen, fixedStep, outputTokens,
                    tokenBudget, maxNumSeqs, gpuMemoryUtilization, numGpuBlocks, blockSize, prefixCaching,
                    kvLinkGbPerSecond, kvTransferSetup, kvPickupTimeout, sideChannelPort, bootstrapPort,
                    bootstrapTimeout, kvEventsEndpoint, kvEventsReplayEndpoint, kvEventsTopic, kvEventsFormat, faults);
        }

        /** A copy with other answer lengths and context length (tests). */
        public Engine withOutput(String range, int newMaxModelLen) {
            return new Engine(id, port, kind, role, model, calibrationModel, gpu, newMaxModelLen, tokenDelay, range,
                    tokenBudget, maxNumSeqs, gpuMemoryUtilization, numGpuBlocksOverride, blockSize, prefixCaching,
                    kvLinkGbPerSecond, kvTransferSetup, kvPickupTimeout, sideChannelPort, bootstrapPort,
                    bootstrapTimeout, kvEventsEndpoint, kvEventsReplayEndpoint, kvEventsTopic, kvEventsFormat, faults);
        }

        /** A copy publishing KV events (tests). */
        public Engine withKvEvents(String endpoint, String replayEndpoint, String topic, KvEventsFormat format) {
            return new Engine(id, port, kind, role, model, calibrationModel, gpu, maxModelLen, tokenDelay, outputTokens,
                    tokenBudget, maxNumSeqs, gpuMemoryUtilization, numGpuBlocksOverride, blockSize, prefixCaching,
                    kvLinkGbPerSecond, kvTransferSetup, kvPickupTimeout, sideChannelPort, bootstrapPort,
                    bootstrapTimeout, endpoint, replayEndpoint, topic, format, faults);
        }

        /** A copy with another P/D rendezvous timeout (tests). */
        public Engine withBootstrapTimeout(Duration timeout) {
            return new Engine(id, port, kind, role, model, calibrationModel, gpu, maxModelLen, tokenDelay, outputTokens,
                    tokenBudget, maxNumSeqs, gpuMemoryUtilization, numGpuBlocksOverride, blockSize, prefixCaching,
                    kvLinkGbPerSecond, kvTransferSetup, kvPickupTimeout, sideChannelPort, bootstrapPort,
                    timeout, kvEventsEndpoint, kvEventsReplayEndpoint, kvEventsTopic, kvEventsFormat, faults);
        }

        /** The parsed {@link #outputTokens} range as {@code [min, max]}. */
        public int[] outputRange() {
            return outputRange(PREFIX + ".engines[id=" + id + "].", outputTokens);
        }

        /** The calibrated timing and memory of {@link #calibrationModel} on {@link #gpu}. */
        public dev.switchboard.sim.core.GpuProfile gpuProfile() {
            return gpu == Gpu.A100 ? GpuProfiles.a100(calibrationModel) : GpuProfiles.h100(calibrationModel);
        }

        /**
         * The core's scheduler and cache settings. The core runs with the {@code unified} role even for a
         * prefill engine: like vLLM with {@code kv_role=kv_both}, what a request does (prefill only and
         * keep the KV, or take KV from elsewhere) is decided per request by its {@code kv_transfer_params}
         * or bootstrap fields, so a prefill engine still answers a plain request in full.
         */
        public EngineConfig coreConfig() {
            EngineConfig.Builder b = EngineConfig.builder(gpuProfile())
                    .role(role == EngineRole.PREFILL ? EngineRole.UNIFIED : role)
                    .blockSize(blockSize)
                    .prefixCaching(prefixCaching)
                    .gpuMemoryUtilization(gpuMemoryUtilization)
                    .kvLinkBytesPerSecond(Math.round(kvLinkGbPerSecond * 1e9))
                    .kvTransferSetup(kvTransferSetup)
                    .kvPickupTimeout(kvPickupTimeout);
            if (tokenBudget != null) {
                b.tokenBudget(tokenBudget);
            }
            if (maxNumSeqs != null) {
                b.maxNumSeqs(maxNumSeqs);
            }
            if (numGpuBlocksOverride != null) {
                b.numGpuBlocks(numGpuBlocksOverride);
            }
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PREFIX + ".engines[id=" + id + "]: " + e.getMessage(), e);
            }
        }

        private static void positive(String name, Integer value) {
            if (value != null && value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, but was " + value);
            }
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }

        private static int[] outputRange(String at, String spec) {
            String[] parts = spec.split("-");
            try {
                int min = Integer.parseInt(parts[0].trim());
                int max = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : min;
                if (parts.length > 2 || min < 1 || max < min) {
                    throw new NumberFormatException();
                }
                return new int[] {min, max};
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(at + "output-tokens must be 'min-max' with 1 <= min <= max, but was '"
                        + spec + "'");
            }
        }
    }
}
