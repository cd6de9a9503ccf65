package dev.switchboard.adapter;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.KvEvent;

/**
 * Engines this adapter fronts and how it watches them ({@code switchboard.adapter.*}). Everything is
 * validated here, at startup, so a bad value stops the process with the offending key and all other
 * problems of the same engine in one message.
 *
 * @param bindHost       address the engine listeners bind to
 * @param advertisedHost address registered in discovery for every listener
 * @param connectTimeout TCP connect timeout towards an engine or a peer adapter
 * @param adminToken     bearer token required by {@code /admin/**} on the adapter's own port
 * @param adminOpen      allow an empty {@code admin-token} (local runs only): admin endpoints are then open
 * @param drainTimeout   how long a drain (admin or SIGTERM) waits for in-flight requests before deregistering
 * @param scrape         metrics scraping
 * @param health         health polling
 * @param events         the event stream served to schedulers
 * @param pd             prefill/decode disaggregation
 * @param gpu            GPU detection
 * @param engines        the fronted engines, at least one
 */
@ConfigurationProperties(AdapterProperties.PREFIX)
public record AdapterProperties(
        @DefaultValue("127.0.0.1") String bindHost,
        @DefaultValue("127.0.0.1") String advertisedHost,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("") String adminToken,
        @DefaultValue("false") boolean adminOpen,
        @DefaultValue("30s") Duration drainTimeout,
        @DefaultValue Scrape scrape,
        @DefaultValue Health health,
        @DefaultValue Events events,
        @DefaultValue Pd pd,
        @DefaultValue Gpu gpu,
        List<Engine> engines) {
    public static final String PREFIX = "switchboard.adapter";

    public AdapterProperties {
        adminToken = adminToken == null ? "" : adminToken.trim();
        if (adminToken.isEmpty() && !adminOpen) {
            throw new IllegalArgumentException(PREFIX + ".admin-token is empty: set it (env SWITCHBOARD_ADMIN_TOKEN) so "
                    + "/admin/** can be protected, or set " + PREFIX + ".admin-open=true to run with open admin "
                    + "endpoints (local runs only)");
        }
        requirePositive(PREFIX + ".connect-timeout", connectTimeout);
        requirePositive(PREFIX + ".drain-timeout", drainTimeout);
        scrape = scrape == null ? Scrape.defaults() : scrape;
        health = health == null ? Health.defaults() : health;
        events = events == null ? Events.defaults() : events;
        pd = pd == null ? Pd.defaults() : pd;
        gpu = gpu == null ? Gpu.defaults() : gpu;
        if (engines == null || engines.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + ".engines must list at least one engine");
        }
        engines = List.copyOf(engines);
        Set<Integer> ports = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < engines.size(); i++) {
            Engine e = engines.get(i);
            if (!ports.add(e.listenPort())) {
                throw new IllegalArgumentException(PREFIX + ".engines[" + i + "].listen-port " + e.listenPort() + " is used twice");
            }
            if (!ids.add(e.endpointId())) {
                throw new IllegalArgumentException(PREFIX + ".engines[" + i + "].endpoint-id '" + e.endpointId()
                        + "' is used twice");
            }
        }
    }

    /** Whether admin requests must carry the token (false only in open local mode). */
    public boolean adminProtected() {
        return !adminToken.isEmpty();
    }

    /** The engine with this endpoint id, or {@code null}. */
    public Engine engine(String endpointId) {
        return engines.stream().filter(e -> e.endpointId().equals(endpointId)).findFirst().orElse(null);
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(key + " must be a positive duration, but was " + value);
        }
    }

    /**
     * Scraping of each engine's {@code /metrics} ({@code switchboard.adapter.scrape.*}).
     *
     * @param interval   time between scrapes (a scrape still running when the next is due skips that tick)
     * @param timeout    a scrape slower than this counts as a scrape error
     * @param rateWindow window of the counter and histogram deltas behind hit rate, TTFT, ITL and tokens/s
     * @param maxSize    largest {@code /metrics} body accepted
     */
    public record Scrape(
            @DefaultValue("100ms") Duration interval,
            @DefaultValue("1s") Duration timeout,
            @DefaultValue("2s") Duration rateWindow,
            @DefaultValue("16MB") DataSize maxSize) {
        public Scrape {
            requirePositive(PREFIX + ".scrape.interval", interval);
            requirePositive(PREFIX + ".scrape.timeout", timeout);
            requirePositive(PREFIX + ".scrape.rate-window", rateWindow);
            if (rateWindow.compareTo(interval) < 0) {
                throw new IllegalArgumentException(PREFIX + ".scrape.rate-window (" + rateWindow
                        + ") must not be shorter than " + PREFIX + ".scrape.interval (" + interval + ")");
            }
            if (maxSize == null || maxSize.toBytes() < 1024) {
                throw new IllegalArgumentException(PREFIX + ".scrape.max-size must be at least 1KB, but was " + maxSize);
            }
        }

        static Scrape defaults() {
            return new Scrape(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2), DataSize.ofMegabytes(16));
        }
    }

    /**
     * Health polling of each engine's {@code /health} ({@code switchboard.adapter.health.*}); also paces
     * the retries of descriptor resolution while an engine is not up yet.
     *
     * @param interval time between checks
     * @param timeout  a check slower than this fails
     */
    public record Health(@DefaultValue("1s") Duration interval, @DefaultValue("1s") Duration timeout) {
        public Health {
            requirePositive(PREFIX + ".health.interval", interval);
            requirePositive(PREFIX + ".health.timeout", timeout);
        }

        static Health defaults() {
            return new Health(Duration.ofSeconds(1), Duration.ofSeconds(1));
        }
    }

    /**
     * The event stream at {@code /switchboard/v1/events} ({@code switchboard.adapter.events.*}).
     *
     * @param heartbeatInterval a subscriber that was sent nothing for this long gets a heartbeat
     * @param subscriberBuffer  KV and lifecycle events queued for one slow subscriber before it is
     *                          disconnected (load reports are never queued: a slow subscriber gets the latest)
     * @param kvLinger          how long a KV event may wait for others to share one write to a subscriber
     *                          (0 = none); a busy engine publishes hundreds of batches a second, and every
     *                          write costs a wake-up here and in the scheduler. At most 1 s.
     */
    public record Events(@DefaultValue("5s") Duration heartbeatInterval, @DefaultValue("4096") int subscriberBuffer,
            @DefaultValue("10ms") Duration kvLinger) {
        public Events {
            requirePositive(PREFIX + ".events.heartbeat-interval", heartbeatInterval);
            if (subscriberBuffer < 16) {
                throw new IllegalArgumentException(PREFIX + ".events.subscriber-buffer must be at least 16, but was "
                        + subscriberBuffer);
            }
            if (kvLinger == null || kvLinger.isNegative() || kvLinger.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException(PREFIX + ".events.kv-linger must be between 0 and 1s, but was " + kvLinger);
            }
        }

        static Events defaults() {
            return new Events(Duration.ofSeconds(5), 4096, Duration.ofMillis(10));
        }
    }

    /**
     * Prefill/decode disaggregation ({@code switchboard.adapter.pd.*}).
     *
     * @param prefillTimeout      bound on one prefill leg (a timed-out leg is a failed leg)
     * @param maxBodySize         largest request body accepted on the disaggregated path (it is buffered there)
     * @param sglangBootstrapPort bootstrap port of the prefill engines, sent as {@code bootstrap_port} (SGLang's default)
     */
    public record Pd(
            @DefaultValue("60s") Duration prefillTimeout,
            @DefaultValue("16MB") DataSize maxBodySize,
            @DefaultValue("8998") int sglangBootstrapPort) {
        public Pd {
            requirePositive(PREFIX + ".pd.prefill-timeout", prefillTimeout);
            if (maxBodySize == null || maxBodySize.toBytes() < 1024 || maxBodySize.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(PREFIX + ".pd.max-body-size must be in [1KB, 2GB), but was " + maxBodySize);
            }
            if (sglangBootstrapPort < 1 || sglangBootstrapPort > 65535) {
                throw new IllegalArgumentException(PREFIX + ".pd.sglang-bootstrap-port must be in [1, 65535], but was "
                        + sglangBootstrapPort);
            }
        }

        static Pd defaults() {
            return new Pd(Duration.ofSeconds(60), DataSize.ofMegabytes(16), 8998);
        }
    }

    /**
     * GPU detection ({@code switchboard.adapter.gpu.*}).
     *
     * @param detect  run {@code command} once at startup to learn GPU name, memory and count
     * @param command the {@code nvidia-smi} executable (a missing one just means "no GPU facts")
     * @param timeout bound on the command
     */
    public record Gpu(
            @DefaultValue("true") boolean detect,
            @DefaultValue("nvidia-smi") String command,
            @DefaultValue("5s") Duration timeout) {
        public Gpu {
            if (command == null || command.isBlank()) {
                throw new IllegalArgumentException(PREFIX + ".gpu.command must not be blank");
            }
            requirePositive(PREFIX + ".gpu.timeout", timeout);
        }

        static Gpu defaults() {
            return new Gpu(true, "nvidia-smi", Duration.ofSeconds(5));
        }
    }

    /** How the engine kind is decided. */
    public enum EngineKindSetting {
        /** Probe the engine: SGLang answers {@code /server_info}, vLLM {@code /version}. */
        AUTO,
        VLLM,
        SGLANG;

        /** The configured kind, or {@code null} for {@link #AUTO}. */
        public EngineKind fixed() {
            return switch (this) {
                case AUTO -> null;
                case VLLM -> EngineKind.VLLM;
                case SGLANG -> EngineKind.SGLANG;
            };
        }
    }

    /**
     * One fronted engine: the port the adapter listens on for it, its descriptor fields (see
     * {@link EngineDescriptor}), and where its KV events come from. Numeric facts left at 0 (and a blank
     * GPU type) are read from the engine or from {@code nvidia-smi} at startup.
     *
     * @param kvEventsEndpoint ZeroMQ endpoint of the engine's KV event publisher, empty for none; an
     *                         endpoint with {@code *} is bound (engines then connect), any other is connected to
     * @param kvEventsTopic    topic prefix to subscribe to (empty: all)
     * @param kvHashSpace      whose hashes the engine publishes: {@code engine} (real vLLM/SGLang) or
     *                         {@code switchboard} (the simulator publishes {@code PromptBlocks} hashes)
     */
    public record Engine(
            int listenPort,
            String endpointId,
            @DefaultValue("unified") EngineRole role,
            @DefaultValue("auto") EngineKindSetting engineKind,
            String model,
            @DefaultValue List<String> loras,
            URI engineUrl,
            @DefaultValue("") String gpuType,
            @DefaultValue("0") int gpuCount,
            @DefaultValue("0") int gpuMemoryGib,
            @DefaultValue("0") int kvBlockSize,
            @DefaultValue("0") long kvCapacityTokens,
            @DefaultValue("0") long kvBytesPerToken,
            @DefaultValue("0") int maxModelLen,
            @DefaultValue("none") PdTransferKind pdTransfer,
            @DefaultValue("0") int bootstrapPort,
            @DefaultValue("") String node,
            @DefaultValue("") String zone,
            @DefaultValue("") String kvEventsEndpoint,
            @DefaultValue("") String kvEventsTopic,
            @DefaultValue("engine") KvEvent.HashSpace kvHashSpace) {

        public Engine {
            engineKind = engineKind == null ? EngineKindSetting.AUTO : engineKind;
            loras = loras == null ? List.of() : List.copyOf(loras);
            gpuType = gpuType == null ? "" : gpuType.trim();
            kvEventsEndpoint = kvEventsEndpoint == null ? "" : kvEventsEndpoint.trim();
            kvEventsTopic = kvEventsTopic == null ? "" : kvEventsTopic;
            kvHashSpace = kvHashSpace == null ? KvEvent.HashSpace.ENGINE : kvHashSpace;
            String key = PREFIX + ".engines[" + (endpointId == null ? "?" : endpointId) + "].";
            List<String> problems = new ArrayList<>();
            if (listenPort < 1 || listenPort > 65535) {
                problems.add(key + "listen-port must be in [1, 65535], but was " + listenPort);
            }
            if (gpuCount < 0) {
                problems.add(key + "gpu-count must be >= 0 (0 = detect), but was " + gpuCount);
            }
            if (kvBlockSize < 0) {
                problems.add(key + "kv-block-size must be >= 0 (0 = read from the engine), but was " + kvBlockSize);
            }
            if (!kvEventsEndpoint.isEmpty()) {
                String scheme = kvEventsEndpoint.toLowerCase(Locale.ROOT);
                if (!(scheme.startsWith("tcp://") || scheme.startsWith("ipc://") || scheme.startsWith("inproc://"))) {
                    problems.add(key + "kv-events-endpoint must be a ZeroMQ endpoint (tcp://host:port, ipc://path), but was '"
                            + kvEventsEndpoint + "'");
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            // every other field is checked by the contract's own validation, with placeholders for the
            // facts still to be read from the engine
            try {
                descriptor(engineKind.fixed() == null ? EngineKind.VLLM : engineKind.fixed(),
                        Math.max(kvBlockSize, 1), kvCapacityTokens, maxModelLen, gpuType, Math.max(gpuCount, 1), gpuMemoryGib,
                        endpointId, role, model, loras, engineUrl, kvBytesPerToken, pdTransfer, bootstrapPort, node, zone)
                        .validate();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key.substring(0, key.length() - 1) + ": " + e.getMessage(), e);
            }
        }

        /** The descriptor published for this engine once the facts left open in config are known. */
        public EngineDescriptor descriptor(EngineKind kind, int blockSize, long capacityTokens, int modelLen,
                String gpu, int gpus, int gpuMemory) {
            return descriptor(kind, blockSize, capacityTokens, modelLen, gpu, gpus, gpuMemory, endpointId, role, model, loras,
                    engineUrl, kvBytesPerToken, pdTransfer, bootstrapPort, node, zone).validate();
        }

        private static EngineDescriptor descriptor(EngineKind kind, int blockSize, long capacityTokens, int modelLen,
                String gpu, int gpus, int gpuMemory, String endpointId, EngineRole role, String model, List<String> loras,
                URI engineUrl, long kvBytesPerToken, PdTransferKind pdTransfer, int bootstrapPort, String node, String zone) {
            return new EngineDescriptor(endpointId, role, kind, model, loras, engineUrl, gpu, gpus, gpuMemory, blockSize,
                    capacityTokens, kvBytesPerToken, modelLen, pdTransfer, bootstrapPort, node, zone);
        }

        /** The engine's base URL without a trailing slash, to append paths to. */
        public String baseUrl() {
            return engineUrl.toString().replaceAll("/+$", "");
        }
    }
}
