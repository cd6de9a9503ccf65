package dev.switchboard.scheduler;

import java.net.URI;
import java.util.List;

import dev.switchboard.contract.EngineDescriptor;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.LoadReport;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.PrefixMatches;

/** Test fixtures: {@code endpoint("d1").role(DECODE).waiting(2).build()}. */
public final class Endpoints {
    private int bootstrapPort;
    private final String id;
    private EngineRole role = EngineRole.UNIFIED;
    private String model = "llama-3-8b";
    private List<String> loras = List.of();
    private int outstanding;
    private long backlog;
    private int maxModelLen = 32_768;
    private String node = "";
    private String zone = "";
    private LoadReport load;
    private LifecycleEvent.State state = LifecycleEvent.State.READY;
    private boolean stale;

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

    public Endpoints backlog(long tokens) {
        backlog = tokens;
        return this;
    }

    public Endpoints maxModelLen(int value) {
        maxModelLen = value;
        return this;
    }

    public Endpoints node(String value) {
        node = value;
        return this;
    }

    public Endpoints zone(String value) {
        zone = value;
        return this;
    }

    /** Sets an engine load report. */
    public Endpoints load(int running, int waiting, double kvUsage) {
        load = new LoadReport(id, 0, running, waiting, kvUsage, 0, 0, 0, 0, true, false);
        return this;
    }

    public Endpoints unhealthy() {
        load = new LoadReport(id, 0, 0, 0, 0, 0, 0, 0, 0, false, false);
        return this;
    }

    public Endpoints state(LifecycleEvent.State value) {
        state = value;
        return this;
    }

    public Endpoints stale() {
        stale = true;
        return this;
    }

    /** An SGLang engine with a Mooncake bootstrap server on {@code port}. */
    public Endpoints bootstrapPort(int port) {
        this.bootstrapPort = port;
        return this;
    }

    public EndpointView build() {
        EngineDescriptor d = new EngineDescriptor(id, role, bootstrapPort > 0 ? EngineKind.SGLANG : EngineKind.VLLM, model, loras,
                URI.create("http://127.0.0.1:8001"), "H100-80GB", 1, 80, 16, 430_000, 131_072, maxModelLen,
                bootstrapPort > 0 ? PdTransferKind.MOONCAKE : PdTransferKind.NIXL, bootstrapPort, node, zone);
        return new EndpointView(d, "127.0.0.1", 8071, outstanding, load, state, stale, backlog);
    }

    /** A request for {@code model} with {@code promptTokens} tokens. */
    public static ScheduleRequest request(String model, int promptTokens, String... excluded) {
        return new ScheduleRequest("req-1", model, "t", 0, promptTokens, 16, new long[0], "", false, List.of(excluded));
    }

    /** A cycle over {@code endpoints} with the given predicted prefix matches (blocks of 16 tokens). */
    public static CycleContext context(ScheduleRequest request, List<EndpointView> endpoints, PrefixMatches prefix) {
        return new CycleContext(request, new ClusterSnapshot(1, endpoints), prefix, 16, 42L, null, null);
    }
}
