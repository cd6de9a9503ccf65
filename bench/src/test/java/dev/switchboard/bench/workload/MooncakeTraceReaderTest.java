package dev.switchboard.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.prompt.ChatMessage;
import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.prompt.Tokenizer;
import tools.jackson.databind.json.JsonMapper;

class MooncakeTraceReaderTest {
    private final SyntheticText text = new SyntheticText();
    private final Workload trace = TraceSamples.mooncake(1);

    private long[] hashes(TraceRequest r) {
        return PromptBlocks.hash("llama-3-8b", null, r.prompt().canonicalText(text));
    }

    @Test
    void mapsEveryRecordToARequest() {
        assertThat(trace.size()).isEqualTo(140);
        TraceRequest first = trace.requests().get(0);
        assertThat(first.arrivalNanos()).isZero();
        assertThat(first.inputTokens()).isEqualTo(6758);
        assertThat(first.outputTokens()).isEqualTo(500);
        assertThat(first.tenant()).isEqualTo(TraceRequest.DEFAULT_TENANT);
        assertThat(first.sessionId()).isNull();
        // {"timestamp": 15000, "input_length": 898, "output_length": 324, "hash_ids": [0, 1099]}
        assertThat(trace.requests()).anySatisfy(r -> {
            assertThat(r.arrivalNanos()).isEqualTo(15_000_000_000L);
            assertThat(r.inputTokens()).isEqualTo(898);
            assertThat(r.outputTokens()).isEqualTo(324);
            assertThat(r.prompt().messages().get(0).segments()).extracting(TextSegment::tokens).containsExactly(512, 386);
        });
        assertThat(trace.span().toMillis()).isEqualTo(48_000);
    }

    @Test
    void renderedPromptsHaveExactlyInputLengthTokens() throws Exception {
        // input_length read independently of the reader
        List<Integer> inputLengths;
        try (var lines = Files.lines(TraceSamples.path(TraceSamples.MOONCAKE))) {
            inputLengths = lines.map(l -> JsonMapper.builder().build().readTree(l).path("input_length").asInt()).toList();
        }
        assertThat(trace.requests()).extracting(TraceRequest::inputTokens).containsExactlyElementsOf(inputLengths);
        for (TraceRequest r : trace.requests()) {
            List<ChatMessage> messages = r.prompt().render(text);
            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).role()).isEqualTo("user");
            assertThat(Tokenizer.countTokens(messages.get(0).content())).isEqualTo(r.inputTokens());
        }
    }

    @Test
    void equalHashIdsGiveEqualPrefixes() {
        // lines 2 and 138 of the sample share their first 14 ids [0, 14, 15, ..., 26], then differ
        TraceRequest a = trace.requests().get(1);
        TraceRequest b = trace.requests().get(137);
        assertThat(a.prompt().messages().get(0).segments().subList(0, 14))
                .isEqualTo(b.prompt().messages().get(0).segments().subList(0, 14));
        // canonical text: "<|user|>" (8 chars) then 14 x 2048 shared chars: 448 full 64-char (16-token) blocks
        assertThat(PromptBlocks.commonPrefixBlocks(hashes(a), hashes(b))).isEqualTo(448);
        // every request shares block 0 (the system prefix): 32 blocks of 16 tokens
        assertThat(PromptBlocks.commonPrefixBlocks(hashes(trace.requests().get(0)), hashes(trace.requests().get(2))))
                .isEqualTo(32);
    }

    @Test
    void theSeedChangesTheTextButNotTheSharing() {
        Workload other = TraceSamples.mooncake(2);
        String a = text.text(trace.requests().get(0).prompt().messages().get(0).segments().get(0));
        String b = text.text(other.requests().get(0).prompt().messages().get(0).segments().get(0));
        assertThat(a).isNotEqualTo(b).hasSize(2048);
        assertThat(PromptBlocks.commonPrefixBlocks(hashes(other.requests().get(1)), hashes(other.requests().get(137))))
                .isEqualTo(448);
    }

    @Test
    void blockCacheStaysWithinItsBudget() {
        SyntheticText small = new SyntheticText(100_000);
        for (TraceRequest r : trace.requests()) {
            r.prompt().render(small);
        }
        assertThat(small.cachedChars()).isLessThanOrEqualTo(100_000);
        assertThat(small.cacheStats()[0]).as("block 0 is hit again and again").isGreaterThan(100);
    }

    @Test
    void rejectsBrokenLinesWithTheirLineNumber() {
        assertThatThrownBy(() -> MooncakeTraceReader.read(TraceSamples.reader(
                "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 1, \"hash_ids\": [0]}\n\n{oops"), "t.jsonl", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("t.jsonl line 3: not a Mooncake record");
        assertThatThrownBy(() -> MooncakeTraceReader.read(TraceSamples.reader(
                "{\"timestamp\": 0, \"output_length\": 1, \"hash_ids\": [0]}"), "t.jsonl", 1))
                .hasMessage("t.jsonl line 1: missing field 'input_length'");
    }

    @Test
    void fillsMissingIdsWithUniqueTextAndClampsZeroOutput() throws Exception {
        Workload w = MooncakeTraceReader.read(TraceSamples.reader(
                "{\"timestamp\": 5, \"input_length\": 600, \"output_length\": 0, \"hash_ids\": [7]}"), "t", 1);
        TraceRequest r = w.requests().get(0);
        assertThat(r.arrivalNanos()).isZero();
        assertThat(r.outputTokens()).isEqualTo(1);
        assertThat(r.prompt().messages().get(0).segments()).extracting(TextSegment::tokens).containsExactly(512, 88);
        assertThat(Tokenizer.countTokens(r.prompt().render(text).get(0).content())).isEqualTo(600);
    }
}
