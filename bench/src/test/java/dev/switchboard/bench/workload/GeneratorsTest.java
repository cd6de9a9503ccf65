package dev.switchboard.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.prompt.PromptBlocks;

class GeneratorsTest {
    private final SyntheticText text = new SyntheticText();

    private long[] hashes(TraceRequest r) {
        return PromptBlocks.hash("m", null, r.prompt().canonicalText(text));
    }

    @Test
    void b2bSaasPresetHasItsSizes() {
        Workload w = WorkloadPreset.B2B_SAAS.generate(Map.of(), 1);
        assertThat(w.size()).isEqualTo(750);
        assertThat(w.requests()).allSatisfy(r -> {
            assertThat(r.inputTokens()).isEqualTo(7200);
            assertThat(r.outputTokens()).isEqualTo(1000);
            assertThat(r.prompt().messages()).extracting(PromptMessage::role).containsExactly("system", "user");
        });
        Map<TextSegment, Long> perSystemPrompt = w.requests().stream()
                .collect(Collectors.groupingBy(r -> r.prompt().messages().get(0).segments().get(0), Collectors.counting()));
        assertThat(perSystemPrompt).hasSize(150).allSatisfy((system, count) -> assertThat(count).isEqualTo(5));
        assertThat(w.meanRatePerSecond()).isCloseTo(5.0, within(0.75));
    }

    @Test
    void sharedPrefixIsReallySharedWithinAGroupOnly() {
        Workload w = new SharedPrefixWorkload(3, 4, 6000, 1200, 10, 5, 7).generate("s");
        List<TraceRequest> group0 = w.requests().stream()
                .filter(r -> r.prompt().messages().get(0).segments().get(0).seed() == Seeds.mix(Seeds.SYSTEM_TEXT, 7, 0))
                .toList();
        assertThat(group0).hasSize(4);
        TraceRequest other = w.requests().stream().filter(r -> !group0.contains(r)).findFirst().orElseThrow();
        // "<|system|>" (10 chars) + 24000 chars of system prompt + "\n<|user|>" are shared: 375 full 64-char blocks
        assertThat(PromptBlocks.commonPrefixBlocks(hashes(group0.get(0)), hashes(group0.get(1)))).isEqualTo(375);
        assertThat(PromptBlocks.commonPrefixBlocks(hashes(group0.get(0)), hashes(other))).isZero();
    }

    @Test
    void generatorsAreDeterministicPerSeed() {
        for (WorkloadPreset preset : WorkloadPreset.values()) {
            Workload a = preset.generate(Map.of(), 42);
            assertThat(preset.generate(Map.of(), 42)).as(preset.cliName()).isEqualTo(a);
            Workload b = preset.generate(Map.of(), 43);
            assertThat(b.requests()).as(preset.cliName()).isNotEqualTo(a.requests());
        }
        TraceRequest r = WorkloadPreset.B2B_SAAS.generate(Map.of(), 42).requests().get(0);
        TraceRequest same = WorkloadPreset.B2B_SAAS.generate(Map.of(), 42).requests().get(0);
        assertThat(r.prompt().render(text)).isEqualTo(same.prompt().render(new SyntheticText(0)));
    }

    @Test
    void multiTurnTurnsExtendThePreviousPrompt() {
        Workload w = new MultiTurnWorkload(3, 4, 200, 50, 80, 1, Duration.ofSeconds(5), 3).generate("chat");
        assertThat(w.size()).isEqualTo(12);
        List<TraceRequest> session = w.requests().stream().filter(r -> "session-1".equals(r.sessionId())).toList();
        assertThat(session).hasSize(4);
        assertThat(session).extracting(TraceRequest::inputTokens).containsExactly(250, 380, 510, 640);
        assertThat(session).extracting(TraceRequest::outputTokens).containsOnly(80);
        for (int t = 1; t < session.size(); t++) {
            long gap = session.get(t).arrivalNanos() - session.get(t - 1).arrivalNanos();
            assertThat(gap).isBetween(2_500_000_000L, 7_500_000_000L);
            String previous = session.get(t - 1).prompt().canonicalText(text);
            String current = session.get(t).prompt().canonicalText(text);
            // everything but the closing "<|assistant|>" header is a prefix of the next turn
            String history = previous.substring(0, previous.length() - "<|assistant|>".length());
            assertThat(current).startsWith(history);
            assertThat(PromptBlocks.commonPrefixBlocks(hashes(session.get(t - 1)), hashes(session.get(t))))
                    .isGreaterThanOrEqualTo(history.length() / 64);
        }
        // all sessions share the system prompt, not the questions
        TraceRequest s0 = w.requests().stream().filter(r -> "session-0".equals(r.sessionId())).findFirst().orElseThrow();
        assertThat(PromptBlocks.commonPrefixBlocks(hashes(s0), hashes(session.get(0)))).isEqualTo((10 + 800) / 64);
    }

    @Test
    void heavyTenantSendsItsFactorTimesALightTenantsRate() {
        Workload w = new HeavyTenantWorkload(4, 2.0, 5.0, Duration.ofSeconds(200), 100, 100, 10, 9).generate("heavy");
        Map<String, Long> perTenant = w.requests().stream()
                .collect(Collectors.groupingBy(TraceRequest::tenant, Collectors.counting()));
        assertThat(perTenant).containsOnlyKeys("heavy", "light-1", "light-2", "light-3", "light-4");
        // expected 2000 heavy and 400 per light tenant; Poisson noise ~ sqrt(n)
        assertThat(perTenant.get("heavy")).isBetween(1850L, 2150L);
        for (int t = 1; t <= 4; t++) {
            assertThat(perTenant.get("light-" + t)).isBetween(330L, 470L);
        }
        assertThat(w.span()).isLessThan(Duration.ofSeconds(200));
    }

    @Test
    void paramsOverridePresetsAndTyposFail() {
        Workload w = WorkloadPreset.B2B_SAAS.generate(Map.of("groups", "2", "prompts-per-group", "3", "rate", "50"), 1);
        assertThat(w.size()).isEqualTo(6);
        assertThatThrownBy(() -> WorkloadPreset.B2B_SAAS.generate(Map.of("group", "2"), 1))
                .hasMessage("unknown b2b-saas parameter(s) group; known: groups, prompts-per-group, system-tokens, "
                        + "question-tokens, output-tokens, rate");
        assertThatThrownBy(() -> WorkloadPreset.MULTI_TURN.generate(Map.of("turns", "0"), 1))
                .hasMessage("multi-turn parameter turns must be a whole number >= 1, but was '0'");
        assertThatThrownBy(() -> WorkloadPreset.HEAVY_TENANT.generate(Map.of("duration", "soon"), 1))
                .hasMessageStartingWith("heavy-tenant parameter duration: 'soon' is not a duration");
        assertThatThrownBy(() -> WorkloadPreset.parse("b2c"))
                .hasMessage("unknown workload 'b2c'; expected one of b2b-saas, multi-turn, heavy-tenant");
    }
}
