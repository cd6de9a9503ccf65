package dev.switchboard.adapter.support;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.springframework.util.unit.DataSize;

import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.KvEvent;

/** Builders of adapter configuration for tests. */
public final class Engines {
    private Engines() {
    }

    /** An engine config with everything else at its default. */
    public static AdapterProperties.Engine engine(int listenPort, String id, EngineRole role, String engineUrl) {
        return engine(listenPort, id, role, AdapterProperties.EngineKindSetting.VLLM, engineUrl, PdTransferKind.NONE, "");
    }

    public static AdapterProperties.Engine engine(int listenPort, String id, EngineRole role,
            AdapterProperties.EngineKindSetting kind, String engineUrl, PdTransferKind pd, String kvEndpoint) {
        return new AdapterProperties.Engine(listenPort, id, role, kind, "llama-3-8b", List.of(), URI.create(engineUrl), "", 0, 0,
                0, 0, 0, 0, pd, 0, "", "", kvEndpoint, "", KvEvent.HashSpace.ENGINE);
    }

    /** Adapter properties with open admin and the given engines. */
    public static AdapterProperties adapter(AdapterProperties.Engine... engines) {
        return new AdapterProperties("127.0.0.1", "127.0.0.1", Duration.ofSeconds(2), "", true, Duration.ofSeconds(30),
                null, null, null, null, null, List.of(engines));
    }

    public static AdapterProperties.Pd pd(Duration prefillTimeout) {
        return new AdapterProperties.Pd(prefillTimeout, DataSize.ofMegabytes(16), 8998);
    }

    public static AdapterProperties.Scrape scrape(Duration interval, Duration window) {
        return new AdapterProperties.Scrape(interval, Duration.ofSeconds(1), window, DataSize.ofMegabytes(16));
    }
}
