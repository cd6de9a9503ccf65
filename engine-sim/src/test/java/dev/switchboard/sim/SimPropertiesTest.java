package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.sim.core.EngineConfig;

/** Configuration binding as Spring does it (kebab-case keys), defaults, and startup validation messages. */
class SimPropertiesTest {

    private static SimProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bind(SimProperties.PREFIX, SimProperties.class)
                .get();
    }

    private static Map<String, String> engine(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("switchboard.sim.engines[0].port", "8001");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put("switchboard.sim.engines[0]." + keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Test
    void theEndToEndSuitesKeysStillBindAndTokenDelayMeansTheLegacyFixedStep() {
        SimProperties p = bind(engine("id", "prefill-1", "role", "prefill", "model", "llama-3-8b", "token-delay", "15ms",
                "output-tokens", "8-24"));
        SimProperties.Engine e = p.engines().get(0);
        assertThat(e.tokenDelay()).isEqualTo(Duration.ofMillis(15));
        assertThat(e.outputRange()).containsExactly(8, 24);
        assertThat(e.role()).isEqualTo(EngineRole.PREFILL);
        assertThat(e.kind()).isEqualTo(EngineKind.VLLM);
        assertThat(e.gpu()).isEqualTo(SimProperties.Gpu.H100);
        assertThat(e.calibrationModel()).isEqualTo("llama-3-8b");
        assertThat(p.speed()).isEqualTo(1.0);
        assertThat(p.instant()).isFalse();
        // prefill is decided per request (kv_transfer_params), so the core itself runs unified
        assertThat(e.coreConfig().role()).isEqualTo(EngineRole.UNIFIED);
    }

    @Test
    void defaultsAreVllmsOnAnH100() {
        SimProperties.Engine e = bind(engine()).engines().get(0);
        assertThat(e.tokenDelay()).isNull();
        assertThat(e.id()).isEqualTo("engine-8001");
        EngineConfig core = e.coreConfig();
        assertThat(core.tokenBudget()).isEqualTo(8192);
        assertThat(core.maxNumSeqs()).isEqualTo(1024);
        assertThat(core.blockSize()).isEqualTo(16);
        assertThat(core.kvCapacityTokens()).isBetween(420_000L, 450_000L);
        assertThat(core.kvLinkBytesPerSecond()).isEqualTo(25_000_000_000L);
        assertThat(e.kvEventsFormat()).isEqualTo(SimProperties.KvEventsFormat.ARRAY);
        assertThat(e.faults()).isEqualTo(SimProperties.Faults.NONE);
    }

    @Test
    void everyEngineSettingBinds() {
        SimProperties p = bind(Map.ofEntries(
                Map.entry("switchboard.sim.speed", "8"),
                Map.entry("switchboard.sim.engines[0].port", "8001"),
                Map.entry("switchboard.sim.engines[0].kind", "sglang"),
                Map.entry("switchboard.sim.engines[0].model", "my-qwen"),
                Map.entry("switchboard.sim.engines[0].calibration-model", "qwen2.5-7b"),
                Map.entry("switchboard.sim.engines[0].gpu", "a100"),
                Map.entry("switchboard.sim.engines[0].max-num-seqs", "64"),
                Map.entry("switchboard.sim.engines[0].num-gpu-blocks-override", "5000"),
                Map.entry("switchboard.sim.engines[0].gpu-memory-utilization", "0.8"),
                Map.entry("switchboard.sim.engines[0].kv-link-gb-per-second", "50"),
                Map.entry("switchboard.sim.engines[0].kv-events-endpoint", "tcp://*:5557"),
                Map.entry("switchboard.sim.engines[0].kv-events-topic", "kv@10.0.0.1@my-qwen"),
                Map.entry("switchboard.sim.engines[0].kv-events-format", "map"),
                Map.entry("switchboard.sim.engines[0].faults.error-rate", "0.25"),
                Map.entry("switchboard.sim.engines[0].faults.slowdown", "2")));
        assertThat(p.speed()).isEqualTo(8);
        SimProperties.Engine e = p.engines().get(0);
        assertThat(e.kind()).isEqualTo(EngineKind.SGLANG);
        assertThat(e.gpuProfile().gpu().name()).contains("A100");
        assertThat(e.gpuProfile().model().model()).isEqualTo("qwen2.5-7b");
        EngineConfig core = e.coreConfig();
        assertThat(core.tokenBudget()).isEqualTo(2048); // vLLM's A100 default
        assertThat(core.maxNumSeqs()).isEqualTo(64);
        assertThat(core.numGpuBlocks()).isEqualTo(5000);
        assertThat(core.gpuMemoryUtilization()).isEqualTo(0.8);
        assertThat(core.kvLinkBytesPerSecond()).isEqualTo(50_000_000_000L);
        assertThat(e.kvEventsFormat()).isEqualTo(SimProperties.KvEventsFormat.MAP);
        assertThat(e.faults()).isEqualTo(new SimProperties.Faults(false, false, 2.0, 0.25));
    }

    @Test
    void badValuesStopStartupWithAMessageNamingTheProperty() {
        assertThatThrownBy(() -> bind(engine("id", "x", "calibration-model", "gpt-5")))
                .isInstanceOf(BindException.class)
                .satisfies(t -> assertThat(rootMessage(t)).isEqualTo("switchboard.sim.engines[id=x].calibration-model must "
                        + "be one of [llama-3-8b, qwen2.5-7b], but was 'gpt-5'"));
        assertThatThrownBy(() -> bind(engine("kv-events-endpoint", "localhost:5557")))
                .satisfies(t -> assertThat(rootMessage(t)).contains("kv-events-endpoint must look like tcp://host:port"));
        assertThatThrownBy(() -> bind(engine("kv-events-replay-endpoint", "tcp://*:5558")))
                .satisfies(t -> assertThat(rootMessage(t)).contains("kv-events-replay-endpoint needs kv-events-endpoint"));
        assertThatThrownBy(() -> bind(engine("output-tokens", "9-3")))
                .satisfies(t -> assertThat(rootMessage(t)).contains("output-tokens must be 'min-max'"));
        assertThatThrownBy(() -> bind(engine("faults.error-rate", "1.5")))
                .satisfies(t -> assertThat(rootMessage(t)).contains("error-rate must be in [0, 1]"));
        Map<String, String> zeroSpeed = engine();
        zeroSpeed.put("switchboard.sim.speed", "0");
        assertThatThrownBy(() -> bind(zeroSpeed)).satisfies(t -> assertThat(rootMessage(t)).contains("speed must be"));
        Map<String, String> twice = engine();
        twice.put("switchboard.sim.engines[1].port", "8001");
        assertThatThrownBy(() -> bind(twice)).satisfies(t -> assertThat(rootMessage(t))
                .isEqualTo("switchboard.sim.engines[1].port 8001 is used twice"));
        assertThatThrownBy(() -> bind(engine("num-gpu-blocks-override", "1")))
                .satisfies(t -> assertThat(rootMessage(t)).contains("num-gpu-blocks-override must be >= 2"));
    }
}
