package dev.switchboard.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.switchboard.contract.PdTransferKind;
import dev.switchboard.contract.wire.KvEvent;

/** Configuration binds with defaults for every new key, and bad values stop startup with the key named. */
class AdapterPropertiesTest {

    private static Map<String, String> minimalEngine() {
        // what the end-to-end tests pass
        Map<String, String> m = new HashMap<>();
        m.put("switchboard.adapter.admin-open", "true");
        m.put("switchboard.adapter.engines[0].listen-port", "18071");
        m.put("switchboard.adapter.engines[0].endpoint-id", "decode-1");
        m.put("switchboard.adapter.engines[0].role", "decode");
        m.put("switchboard.adapter.engines[0].engine-kind", "vllm");
        m.put("switchboard.adapter.engines[0].model", "llama-3-8b");
        m.put("switchboard.adapter.engines[0].engine-url", "http://127.0.0.1:8001");
        return m;
    }

    private static AdapterProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bind(AdapterProperties.PREFIX, AdapterProperties.class)
                .get();
    }

    @Test
    void theEndToEndConfigurationStillBindsAndGetsEveryDefault() {
        AdapterProperties p = bind(minimalEngine());
        assertThat(p.scrape().interval()).hasMillis(100);
        assertThat(p.health().interval()).hasSeconds(1);
        assertThat(p.events().heartbeatInterval()).hasSeconds(5);
        assertThat(p.drainTimeout()).hasSeconds(30);
        assertThat(p.pd().sglangBootstrapPort()).isEqualTo(8998);
        AdapterProperties.Engine e = p.engines().get(0);
        assertThat(e.engineKind()).isEqualTo(AdapterProperties.EngineKindSetting.VLLM);
        assertThat(e.kvBlockSize()).as("0 = read from the engine").isZero();
        assertThat(e.pdTransfer()).isEqualTo(PdTransferKind.NONE);
        assertThat(e.kvEventsEndpoint()).isEmpty();
        assertThat(e.kvHashSpace()).isEqualTo(KvEvent.HashSpace.ENGINE);
    }

    @Test
    void engineKindDefaultsToAutoAndKvSettingsBind() {
        Map<String, String> m = minimalEngine();
        m.remove("switchboard.adapter.engines[0].engine-kind");
        m.put("switchboard.adapter.engines[0].kv-events-endpoint", "tcp://127.0.0.1:5557");
        m.put("switchboard.adapter.engines[0].kv-hash-space", "switchboard");
        AdapterProperties.Engine e = bind(m).engines().get(0);
        assertThat(e.engineKind()).isEqualTo(AdapterProperties.EngineKindSetting.AUTO);
        assertThat(e.kvHashSpace()).isEqualTo(KvEvent.HashSpace.SWITCHBOARD);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("empty admin token without admin-open", "switchboard.adapter.admin-open", "false",
                        "switchboard.adapter.admin-token is empty"),
                Arguments.of("scrape window shorter than the interval", "switchboard.adapter.scrape.rate-window", "50ms",
                        "switchboard.adapter.scrape.rate-window"),
                Arguments.of("zero scrape interval", "switchboard.adapter.scrape.interval", "0s", "scrape.interval"),
                Arguments.of("not a ZeroMQ endpoint", "switchboard.adapter.engines[0].kv-events-endpoint", "http://x:1",
                        "engines[decode-1].kv-events-endpoint"),
                Arguments.of("negative block size", "switchboard.adapter.engines[0].kv-block-size", "-1",
                        "engines[decode-1].kv-block-size"),
                Arguments.of("engine url not http", "switchboard.adapter.engines[0].engine-url", "ftp://x",
                        "switchboard.engine-url must be an absolute http(s) URL"),
                Arguments.of("tiny subscriber buffer", "switchboard.adapter.events.subscriber-buffer", "2",
                        "events.subscriber-buffer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void badValuesNameTheirKey(String what, String key, String value, String message) {
        Map<String, String> m = minimalEngine();
        m.put(key, value);
        assertThatThrownBy(() -> bind(m)).hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining(message);
    }
}
