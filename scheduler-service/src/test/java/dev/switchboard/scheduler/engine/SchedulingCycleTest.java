package dev.switchboard.scheduler.engine;

import static dev.switchboard.scheduler.Endpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.wire.ScheduleRequest;
import dev.switchboard.scheduler.framework.ClusterSnapshot;
import dev.switchboard.scheduler.framework.EndpointView;

class SchedulingCycleTest {
    private final SchedulingCycle cycle = new SchedulingCycle();

    private static ScheduleRequest request(String model, String... excluded) {
        return new ScheduleRequest("req-1", model, "t", 0, 100, 10, new long[0], "", false, List.of(excluded));
    }

    static Stream<Arguments> picks() {
        return Stream.of(
                Arguments.of("fewest outstanding wins",
                        List.of(endpoint("d1").role(EngineRole.DECODE).outstanding(3).build(),
                                endpoint("d2").role(EngineRole.DECODE).outstanding(1).build(),
                                endpoint("d3").role(EngineRole.DECODE).outstanding(2).build()),
                        request("llama-3-8b"), "d2"),
                Arguments.of("prefill engines never take the client request",
                        List.of(endpoint("p1").role(EngineRole.PREFILL).outstanding(0).build(),
                                endpoint("d1").role(EngineRole.DECODE).outstanding(9).build()),
                        request("llama-3-8b"), "d1"),
                Arguments.of("unified engines serve the decode side",
                        List.of(endpoint("u1").role(EngineRole.UNIFIED).outstanding(0).build(),
                                endpoint("d1").role(EngineRole.DECODE).outstanding(1).build()),
                        request("llama-3-8b"), "u1"),
                Arguments.of("only engines of the requested model",
                        List.of(endpoint("q1").model("qwen2.5-7b").outstanding(0).build(),
                                endpoint("l1").model("llama-3-8b").outstanding(5).build()),
                        request("llama-3-8b"), "l1"),
                Arguments.of("a LoRA name routes to engines serving that adapter",
                        List.of(endpoint("base").outstanding(0).build(),
                                endpoint("lora").loras("sql-lora").outstanding(4).build()),
                        request("sql-lora"), "lora"),
                Arguments.of("engines that failed this request are skipped",
                        List.of(endpoint("d1").outstanding(0).build(), endpoint("d2").outstanding(7).build()),
                        request("llama-3-8b", "d1"), "d2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("picks")
    void picksTheExpectedEndpoint(String name, List<EndpointView> endpoints, ScheduleRequest request, String expected) {
        CycleResult result = cycle.decide(request, new ClusterSnapshot(1, endpoints));
        assertThat(result).isInstanceOfSatisfying(CycleResult.Picked.class,
                picked -> assertThat(picked.endpoint().id()).isEqualTo(expected));
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                Arguments.of("no engine serves the model", List.of(endpoint("d1").build()), request("gpt-9"), 404,
                        "model_not_found"),
                Arguments.of("empty cluster", List.of(), request("llama-3-8b"), 404, "model_not_found"),
                Arguments.of("only prefill engines serve it",
                        List.of(endpoint("p1").role(EngineRole.PREFILL).build()), request("llama-3-8b"), 503,
                        "no_engine_available"),
                Arguments.of("every candidate already failed",
                        List.of(endpoint("d1").build(), endpoint("d2").build()), request("llama-3-8b", "d1", "d2"), 503,
                        "no_engine_available"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsWithAnOpenAiError(String name, List<EndpointView> endpoints, ScheduleRequest request, int status, String code) {
        CycleResult result = cycle.decide(request, new ClusterSnapshot(1, endpoints));
        assertThat(result).isInstanceOfSatisfying(CycleResult.Rejected.class, rejected -> {
            assertThat(rejected.httpStatus()).isEqualTo(status);
            assertThat(rejected.error().code()).isEqualTo(code);
        });
    }

    @Test
    void tiesAreSpreadAcrossEquallyLoadedEndpoints() {
        ClusterSnapshot idle = new ClusterSnapshot(1, List.of(endpoint("d1").build(), endpoint("d2").build(),
                endpoint("d3").build()));
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            ScheduleRequest r = new ScheduleRequest("req-" + i, "llama-3-8b", "t", 0, 1, 1, null, null, false, null);
            picked.add(((CycleResult.Picked) cycle.decide(r, idle)).endpoint().id());
        }
        assertThat(picked).containsExactlyInAnyOrder("d1", "d2", "d3");
    }
}
