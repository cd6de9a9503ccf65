package dev.switchboard.bench.des;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.EngineRole;

class ClusterSpecTest {
    @Test
    void parsesUnifiedAndDisaggregatedClusters() {
        ClusterSpec unified = ClusterSpec.parse("8xH100:llama-3-8b:unified");
        assertThat(unified.groups()).containsExactly(
                new ClusterSpec.Group(8, ClusterSpec.Gpu.H100, "llama-3-8b", EngineRole.UNIFIED));
        assertThat(unified.engines()).isEqualTo(8);
        assertThat(unified.disaggregated()).isFalse();

        ClusterSpec pd = ClusterSpec.parse("4xH100:prefill, 4xa100:qwen2.5-7b:decode");
        assertThat(pd.groups()).containsExactly(
                new ClusterSpec.Group(4, ClusterSpec.Gpu.H100, "llama-3-8b", EngineRole.PREFILL),
                new ClusterSpec.Group(4, ClusterSpec.Gpu.A100, "qwen2.5-7b", EngineRole.DECODE));
        assertThat(pd.models()).containsExactly("llama-3-8b", "qwen2.5-7b");
        assertThat(pd.disaggregated()).isTrue();
        assertThat(ClusterSpec.parse("2xH100").groups().get(0).role()).isEqualTo(EngineRole.UNIFIED);
    }

    @Test
    void rejectsMistakesNamingTheGroup() {
        assertThatThrownBy(() -> ClusterSpec.parse("8xB200")).hasMessage("cluster group '8xB200': unknown GPU 'B200'; known: H100, A100");
        assertThatThrownBy(() -> ClusterSpec.parse("H100:llama-3-8b"))
                .hasMessage("cluster group 'H100:llama-3-8b' must start with COUNTxGPU, e.g. 8xH100");
        assertThatThrownBy(() -> ClusterSpec.parse("0xH100")).hasMessageContaining("engine count must be in [1, 1024], but was 0");
        assertThatThrownBy(() -> ClusterSpec.parse("2xH100:gpt-5")).hasMessageContaining("no calibration for model 'gpt-5'");
        assertThatThrownBy(() -> ClusterSpec.parse("2xH100:prefill:decode")).hasMessage("cluster group '2xH100:prefill:decode' names two roles");
        assertThatThrownBy(() -> ClusterSpec.parse("2xH100,,2xH100")).hasMessageContaining("has an empty group");
        assertThatThrownBy(() -> ClusterSpec.parse("1000xH100,100xH100")).hasMessageContaining("at most 1024 engines");
    }
}
