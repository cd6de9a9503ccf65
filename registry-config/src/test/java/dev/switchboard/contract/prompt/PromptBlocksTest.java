package dev.switchboard.contract.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import net.openhft.hashing.LongHashFunction;

class PromptBlocksTest {
    private static final int BLOCK_CHARS = Tokenizer.charsOf(PromptBlocks.DEFAULT_BLOCK_TOKENS);

    /** Text of {@code blocks} full blocks, each block's characters derived from {@code tag} and its index. */
    private static String text(String tag, int blocks) {
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < blocks; b++) {
            String unit = tag + "-" + b + ";";
            while (sb.length() < (b + 1) * BLOCK_CHARS) {
                sb.append(unit);
            }
            sb.setLength((b + 1) * BLOCK_CHARS);
        }
        return sb.toString();
    }

    static Stream<Arguments> sharedPrefixCases() {
        String shared = text("sys", 3);
        return Stream.of(
                Arguments.of("same text", shared, shared, 3),
                Arguments.of("one extends the other", shared, shared + text("q", 2), 3),
                Arguments.of("diverge after the shared blocks", shared + text("a", 2), shared + text("b", 2), 3),
                Arguments.of("diverge in the first block", text("x", 3), text("y", 3), 0),
                Arguments.of("partial tail is not a block", shared + "tail", shared + "other-tail", 3),
                Arguments.of("empty prompt", "", shared, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedPrefixCases")
    void equalPrefixesGiveEqualLeadingHashes(String name, String a, String b, int expectedCommonBlocks) {
        long[] ha = PromptBlocks.hash("llama-3-8b", null, a);
        long[] hb = PromptBlocks.hash("llama-3-8b", null, b);
        assertThat(PromptBlocks.commonPrefixBlocks(ha, hb)).isEqualTo(expectedCommonBlocks);
    }

    static Stream<Arguments> earlyChangeCases() {
        return Stream.of(
                Arguments.of("first block", 0),
                Arguments.of("middle block", 2),
                Arguments.of("last block", 4));
    }

    @ParameterizedTest(name = "change in the {0} changes it and every later hash")
    @MethodSource("earlyChangeCases")
    void changingABlockChangesEveryLaterHash(String name, int changedBlock) {
        String original = text("doc", 5);
        char[] chars = original.toCharArray();
        chars[changedBlock * BLOCK_CHARS + 7] = '#';
        long[] before = PromptBlocks.hash("m", "", original);
        long[] after = PromptBlocks.hash("m", "", new String(chars));

        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.length; i++) {
            if (i < changedBlock) {
                assertThat(after[i]).as("block %d before the change", i).isEqualTo(before[i]);
            } else {
                assertThat(after[i]).as("block %d from the change on", i).isNotEqualTo(before[i]);
            }
        }
    }

    static Stream<Arguments> seedCases() {
        return Stream.of(
                Arguments.of("different model", "llama-3-8b", null, "qwen2.5-7b", null),
                Arguments.of("salt vs no salt", "m", null, "m", "tenant-a"),
                Arguments.of("different salts", "m", "tenant-a", "m", "tenant-b"),
                Arguments.of("model/salt boundary is not ambiguous", "ab", "c", "a", "bc"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seedCases")
    void differentModelOrSaltGivesDifferentHashes(String name, String modelA, String saltA, String modelB, String saltB) {
        String prompt = text("p", 4);
        long[] a = PromptBlocks.hash(modelA, saltA, prompt);
        long[] b = PromptBlocks.hash(modelB, saltB, prompt);
        assertThat(PromptBlocks.commonPrefixBlocks(a, b)).isZero();
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isNotEqualTo(b[i]);
        }
    }

    @Test
    void nullAndEmptySaltAreTheSame() {
        String prompt = text("p", 2);
        assertThat(PromptBlocks.hash("m", null, prompt)).containsExactly(PromptBlocks.hash("m", "", prompt));
    }

    @Test
    void onlyFullBlocksAreHashedAndHashingIsDeterministic() {
        String prompt = text("p", 3) + "x".repeat(BLOCK_CHARS - 1);
        long[] first = PromptBlocks.hash("m", null, prompt);
        assertThat(first).hasSize(3).containsExactly(PromptBlocks.hash("m", null, new String(prompt.toCharArray())));
    }

    @Test
    void blockSizeIsConfigurable() {
        String prompt = text("p", 4);
        assertThat(PromptBlocks.hash("m", null, prompt, 32)).hasSize(2);
        assertThat(PromptBlocks.hash("m", null, prompt, 64)).hasSize(1);
        assertThatThrownBy(() -> PromptBlocks.hash("m", null, prompt, 0))
                .hasMessage("blockTokens must be >= 1, but was 0");
    }

    @Test
    void chatMessagesThatShareLeadingMessagesShareLeadingBlocks() {
        ChatMessage system = new ChatMessage("system", text("policy", 4));
        String a = PromptText.ofChat(List.of(system, new ChatMessage("user", "What is the refund window?")));
        String b = PromptText.ofChat(List.of(system, new ChatMessage("user", "How do I reset my password?")));
        int common = PromptBlocks.commonPrefixBlocks(PromptBlocks.hash("m", null, a), PromptBlocks.hash("m", null, b));
        assertThat(common).isEqualTo(4);
    }

    @Test
    void roleBoundariesArePartOfTheText() {
        String a = PromptText.ofChat(List.of(new ChatMessage("user", "hello"), new ChatMessage("assistant", "world")));
        String b = PromptText.ofChat(List.of(new ChatMessage("user", "hello"), new ChatMessage("user", "world")));
        assertThat(a).isNotEqualTo(b);
    }

    /** The chain as defined: XXH3 of each block's characters (UTF-16) seeded with the previous hash. */
    private static long[] reference(String model, String salt, String text, int blockTokens) {
        int blockChars = Tokenizer.charsOf(blockTokens);
        long[] out = new long[text.length() / blockChars];
        long parent = PromptBlocks.seed(model, salt);
        for (int i = 0; i < out.length; i++) {
            parent = LongHashFunction.xx3(parent).hashChars(text, i * blockChars, blockChars);
            out[i] = parent;
        }
        return out;
    }

    private static String randomText(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            // mostly Latin-1 (a compact string), sometimes wider characters
            sb.append(random.nextInt(20) == 0 ? (char) (0x100 + random.nextInt(0x3000)) : (char) (' ' + random.nextInt(95)));
        }
        return sb.toString();
    }

    @Test
    void textHandedOverInAnyPiecesHashesLikeTheWholeTextAndAsTheChainIsDefined() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 300; trial++) {
            int blockTokens = 1 + random.nextInt(20);
            String text = randomText(random, random.nextInt(3_000));
            long[] whole = PromptBlocks.hash("m", "salt", text, blockTokens);
            assertThat(whole).isEqualTo(reference("m", "salt", text, blockTokens));

            PromptBlocks.Hasher pieces = new PromptBlocks.Hasher("m", "salt", blockTokens);
            for (int at = 0; at < text.length(); ) {
                int n = Math.min(text.length() - at, random.nextInt(200));
                if (random.nextBoolean()) {
                    pieces.append(text.substring(at, at + n));
                } else {
                    // inside a larger array, as a parser's buffer holds it
                    char[] buffer = new char[n + 10];
                    text.getChars(at, at + n, buffer, 5);
                    pieces.append(buffer, 5, n);
                }
                at += n;
            }
            assertThat(pieces.hashes()).as("trial %d", trial).isEqualTo(whole);
            assertThat(pieces.chars()).isEqualTo(text.length());
        }
    }

    @Test
    void aChatAppendedMessageByMessageHashesLikeItsCanonicalText() {
        SplittableRandom random = new SplittableRandom(12);
        for (int trial = 0; trial < 100; trial++) {
            List<ChatMessage> messages = new ArrayList<>();
            PromptBlocks.Hasher hasher = new PromptBlocks.Hasher("m", null, 16);
            for (int i = random.nextInt(1, 5); i > 0; i--) {
                ChatMessage m = new ChatMessage(random.nextBoolean() ? "user" : "system", randomText(random, random.nextInt(500)));
                messages.add(m);
                PromptText.appendMessage(hasher, m.role(), m.content().toCharArray());
            }
            PromptText.endChat(hasher);
            String canonical = PromptText.ofChat(messages);
            assertThat(hasher.hashes()).isEqualTo(PromptBlocks.hash("m", null, canonical, 16));
            assertThat(hasher.chars()).isEqualTo(canonical.length());
        }
    }
}
