package dev.switchboard.adapter;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;

/**
 * Engines this adapter fronts ({@code switchboard.adapter.*}). Validated at startup through
 * {@link EngineDescriptor#validate()}, so a bad value stops the process with the offending key.
 *
 * @param bindHost       address the engine listeners bind to
 * @param advertisedHost address registered in discovery for every listener
 * @param connectTimeout TCP connect timeout towards an engine
 * @param engines        the fronted engines, at least one
 */
@ConfigurationProperties(AdapterProperties.PREFIX)
public record AdapterProperties(
        @DefaultValue("127.0.0.1") String bindHost,
        @DefaultValue("127.0.0.1") String advertisedHost,
        @DefaultValue("2s") Duration connectTimeout,
        List<Engine> engines) {
    public static final String PREFIX = "switchboard.adapter";

    public AdapterProperties {
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
            if (!ids.add(e.descriptor().endpointId())) {
                throw new IllegalArgumentException(PREFIX + ".engines[" + i + "].endpoint-id '" + e.descriptor().endpointId()
                        + "' is used twice");
            }
        }
    }

    /**
     * One fronted engine: the port the adapter listens on for it, and its descriptor fields (see
     * {@link EngineDescriptor} for their meaning).
     */
    public record Engine(
            int listenPort,
            String endpointId,
            @DefaultValue("unified") EngineRole role,
            @DefaultValue("vllm") EngineKind engineKind,
            String model,
            @DefaultValue List<String> loras,
            URI engineUrl,
            @DefaultValue("unknown") String gpuType,
            @DefaultValue("1") int gpuCount,
            @DefaultValue("0") int gpuMemoryGib,
            @DefaultValue("16") int kvBlockSize,
            @DefaultValue("0") long kvCapacityTokens,
            @DefaultValue("0") long kvBytesPerToken,
            @DefaultValue("0") int maxModelLen,
            @DefaultValue("none") PdTransferKind pdTransfer,
            @DefaultValue("0") int bootstrapPort,
            @DefaultValue("") String node,
            @DefaultValue("") String zone) {

        public Engine {
            if (listenPort < 1 || listenPort > 65535) {
                throw new IllegalArgumentException(PREFIX + ".engines[].listen-port must be in [1, 65535], but was " + listenPort);
            }
            descriptorOf(endpointId, role, engineKind, model, loras, engineUrl, gpuType, gpuCount, gpuMemoryGib, kvBlockSize,
                    kvCapacityTokens, kvBytesPerToken, maxModelLen, pdTransfer, bootstrapPort, node, zone).validate();
        }

        /** The validated descriptor published for this engine. */
        public EngineDescriptor descriptor() {
            return descriptorOf(endpointId, role, engineKind, model, loras, engineUrl, gpuType, gpuCount, gpuMemoryGib,
                    kvBlockSize, kvCapacityTokens, kvBytesPerToken, maxModelLen, pdTransfer, bootstrapPort, node, zone);
        }

        private static EngineDescriptor descriptorOf(String endpointId, EngineRole role, EngineKind engineKind, String model,
                List<String> loras, URI engineUrl, String gpuType, int gpuCount, int gpuMemoryGib, int kvBlockSize,
                long kvCapacityTokens, long kvBytesPerToken, int maxModelLen, PdTransferKind pdTransfer, int bootstrapPort,
                String node, String zone) {
            return new EngineDescriptor(endpointId, role, engineKind, model, loras == null ? List.of() : loras, engineUrl,
                    gpuType, gpuCount, gpuMemoryGib, kvBlockSize, kvCapacityTokens, kvBytesPerToken, maxModelLen, pdTransfer,
                    bootstrapPort, node, zone);
        }
    }
}
