package dev.switchboard.adapter.support;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.adapter.AdapterProperties;
import dev.switchboard.adapter.EngineClients;
import dev.switchboard.adapter.engine.EngineFleet;
import dev.switchboard.adapter.observability.AdapterMetrics;
import dev.switchboard.adapter.proxy.EngineListeners;
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

    /** A fleet for {@code props} on the system clock. */
    public static EngineFleet fleet(AdapterProperties props) {
        return new EngineFleet(props, Clock.systemUTC(), AdapterJson.MAPPER);
    }

    /** Started listeners for {@code fleet}, with the adapter's real clients (stop them after). */
    public static EngineListeners listen(AdapterProperties props, EngineFleet fleet, AdapterMetrics metrics) {
        EngineListeners listeners = new EngineListeners(props, fleet, EngineClients.create(WebClient.builder(), props), metrics);
        listeners.start();
        return listeners;
    }
}
