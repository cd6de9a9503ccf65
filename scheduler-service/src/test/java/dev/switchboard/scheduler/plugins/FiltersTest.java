package dev.switchboard.scheduler.plugins;

import static dev.switchboard.scheduler.Endpoints.context;
import static dev.switchboard.scheduler.Endpoints.endpoint;
import static dev.switchboard.scheduler.Endpoints.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.wire.LifecycleEvent;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.EndpointFilter;
import dev.switchboard.scheduler.framework.EndpointView;
import dev.switchboard.scheduler.framework.PrefixMatches;
import dev.switchboard.scheduler.plugins.contextfilter.ContextFitsFilter;
import dev.switchboard.scheduler.plugins.healthfilter.HealthyFilter;
import dev.switchboard.scheduler.plugins.modelfilter.ModelFilter;
import dev.switchboard.scheduler.plugins.rolefilter.RoleFilter;

/** Table-driven tests of every built-in filter: (filter, request, endpoints) -> kept ids. */
class FiltersTest {
    private static final ModelFilter MODEL = new ModelFilter("model");
    private static final HealthyFilter HEALTHY = new HealthyFilter("healthy");
    private static final ContextFitsFilter CONTEXT = new ContextFitsFilter("context");
    private static final RoleFilter DECODE_SIDE = new RoleFilter("decode-side", new RoleFilter.Params(null));
    private static final RoleFilter PREFILL_SIDE = new RoleFilter("prefill-side", new RoleFilter.Params(List.of("prefill")));

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("model: base model matches", MODEL, request("llama-3-8b", 10),
                        List.of(endpoint("a").build(), endpoint("b").model("qwen2.5-7b").build()), List.of("a")),
                Arguments.of("model: LoRA adapter matches", MODEL, request("sql-lora", 10),
                        List.of(endpoint("a").build(), endpoint("b").loras("sql-lora").build()), List.of("b")),
                Arguments.of("model: nothing matches", MODEL, request("gpt-9", 10),
                        List.of(endpoint("a").build()), List.of()),
                Arguments.of("role: default keeps decode and unified", DECODE_SIDE, request("llama-3-8b", 10),
                        List.of(endpoint("p").role(EngineRole.PREFILL).build(), endpoint("d").role(EngineRole.DECODE).build(),
                                endpoint("u").role(EngineRole.UNIFIED).build()), List.of("d", "u")),
                Arguments.of("role: prefill only", PREFILL_SIDE, request("llama-3-8b", 10),
                        List.of(endpoint("p").role(EngineRole.PREFILL).build(), endpoint("d").role(EngineRole.DECODE).build()),
                        List.of("p")),
                Arguments.of("healthy: drops unhealthy, draining, unready, stale", HEALTHY, request("llama-3-8b", 10),
                        List.of(endpoint("ok").load(1, 0, 0.1).build(), endpoint("never-reported").build(),
                                endpoint("sick").unhealthy().build(),
                                endpoint("draining").state(LifecycleEvent.State.DRAINING).build(),
                                endpoint("down").state(LifecycleEvent.State.UNHEALTHY).build(),
                                endpoint("stale").stale().build()),
                        List.of("ok", "never-reported")),
                Arguments.of("healthy: drops endpoints that already failed this request", HEALTHY,
                        request("llama-3-8b", 10, "a"), List.of(endpoint("a").build(), endpoint("b").build()), List.of("b")),
                Arguments.of("context: prompt + max_tokens must fit", CONTEXT, request("llama-3-8b", 4000),
                        List.of(endpoint("small").maxModelLen(4000).build(), endpoint("exact").maxModelLen(4016).build(),
                                endpoint("unknown").maxModelLen(0).build()), List.of("exact", "unknown")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsTheExpectedEndpoints(String name, EndpointFilter filter, ScheduleRequest request, List<EndpointView> endpoints,
            List<String> expected) {
        List<EndpointView> kept = filter.filter(context(request, endpoints, PrefixMatches.NONE), endpoints);
        assertThat(kept).extracting(EndpointView::id).containsExactlyElementsOf(expected);
    }
}
