package dev.switchboard.scheduler;

import java.net.URI;
import java.util.List;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.scheduler.framework.EndpointView;

/** Test fixtures: {@code endpoint("d1").role(DECODE).outstanding(2).build()}. */
public final class Endpoints {
    private String id;
    private EngineRole role = EngineRole.UNIFIED;
    private String model = "llama-3-8b";
    private List<String> loras = List.of();
    private int outstanding;
    private int port = 8071;

    private Endpoints(String id) {
        this.id = id;
    }

    public static Endpoints endpoint(String id) {
        return new Endpoints(id);
    }

    public Endpoints role(EngineRole value) {
        role = value;
        return this;
    }

    public Endpoints model(String value) {
        model = value;
        return this;
    }

    public Endpoints loras(String... values) {
        loras = List.of(values);
        return this;
    }

    public Endpoints outstanding(int value) {
        outstanding = value;
        return this;
    }

    public Endpoints port(int value) {
        port = value;
        return this;
    }

    public EndpointView build() {
        EngineDescriptor d = new EngineDescriptor(id, role, EngineKind.VLLM, model, loras, URI.create("http://127.0.0.1:8001"),
                "H100-80GB", 1, 80, 16, 430_000, 131_072, 32_768, PdTransferKind.NIXL, 0, "", "");
        return new EndpointView(d, "127.0.0.1", port, outstanding);
    }
}
