package dev.switchboard.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.prompt.Tokenizer;

class AzureTraceReaderTest {
    private final SyntheticText text = new SyntheticText();

    @Test
    void readsTheConversationSample() {
        Workload w = AzureTraceReader.read(TraceSamples.path(TraceSamples.AZURE_CONV), 1);
        assertThat(w.size()).isEqualTo(50);
        assertThat(w.name()).isEqualTo(TraceSamples.AZURE_CONV);
        // 2023-11-16 18:15:46.6805900,374,44 then 2023-11-16 18:15:50.9951690,396,109
        TraceRequest first = w.requests().get(0);
        TraceRequest second = w.requests().get(1);
        assertThat(first.arrivalNanos()).isZero();
        assertThat(first.inputTokens()).isEqualTo(374);
        assertThat(first.outputTokens()).isEqualTo(44);
        assertThat(second.arrivalNanos()).isEqualTo(4_314_579_000L);
        assertThat(second.inputTokens()).isEqualTo(396);
        assertThat(second.outputTokens()).isEqualTo(109);
    }

    @Test
    void readsTheCodeSample() {
        Workload w = AzureTraceReader.read(TraceSamples.path(TraceSamples.AZURE_CODE), 1);
        assertThat(w.size()).isEqualTo(50);
        assertThat(w.requests().get(0).inputTokens()).isEqualTo(4808);
        assertThat(w.requests().get(0).outputTokens()).isEqualTo(10);
        assertThat(w.requests().get(1).arrivalNanos()).isEqualTo(52_000_000L);
    }

    @Test
    void everyRequestHasUniqueTextOfItsContextLength() {
        Workload w = AzureTraceReader.read(TraceSamples.path(TraceSamples.AZURE_CONV), 1);
        List<long[]> hashes = w.requests().stream()
                .map(r -> PromptBlocks.hash("m", null, r.prompt().canonicalText(text))).toList();
        for (int i = 0; i < w.size(); i++) {
            TraceRequest r = w.requests().get(i);
            assertThat(Tokenizer.countTokens(r.prompt().render(text).get(0).content())).isEqualTo(r.inputTokens());
            for (int j = i + 1; j < w.size(); j++) {
                assertThat(PromptBlocks.commonPrefixBlocks(hashes.get(i), hashes.get(j))).isZero();
            }
        }
    }

    @Test
    void acceptsOffsetsMissingFractionsAndAnyColumnOrder() throws Exception {
        Workload w = AzureTraceReader.read(TraceSamples.reader("""
                contexttokens,TIMESTAMP,GeneratedTokens
                10,2024-05-10 00:00:00+00:00,3
                20,2024-05-10 00:00:01.5+00:00,0
                30,2024-05-10 02:00:02.000000+02:00,4
                """), "azure-2024", 1);
        assertThat(w.requests()).extracting(TraceRequest::arrivalNanos).containsExactly(0L, 1_500_000_000L, 2_000_000_000L);
        assertThat(w.requests()).extracting(TraceRequest::inputTokens).containsExactly(10, 20, 30);
        assertThat(w.requests()).extracting(TraceRequest::outputTokens).containsExactly(3, 1, 4);
    }

    @Test
    void rejectsBadInputPrecisely() {
        assertThatThrownBy(() -> AzureTraceReader.read(TraceSamples.reader("TIMESTAMP,ContextTokens\n"), "x.csv", 1))
                .hasMessage("x.csv: the CSV header has no 'GeneratedTokens' column (found TIMESTAMP, ContextTokens)");
        assertThatThrownBy(() -> AzureTraceReader.read(TraceSamples.reader(
                "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,-3,1\n"), "x.csv", 1))
                .hasMessage("x.csv line 2: ContextTokens must be a whole number >= 0, but was '-3'");
        assertThatThrownBy(() -> AzureTraceReader.read(TraceSamples.reader(
                "TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,3,1\n"), "x.csv", 1))
                .hasMessageStartingWith("x.csv line 2: TIMESTAMP 'yesterday' is not a date-time");
        assertThatThrownBy(() -> AzureTraceReader.read(TraceSamples.reader(
                "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,3\n"), "x.csv", 1))
                .hasMessage("x.csv line 2: expected 3 columns, found 2");
    }
}
