package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.switchboard.contract.prompt.Tokenizer;

/** Answer tokens re-tokenize to themselves: every one is exactly CHARS_PER_TOKEN characters. */
class AnswerTextTest {

    @Test
    void everyTokenHasTheTokenizersWidthAndTheAnswerIsDeterministic() {
        AnswerText a = new AnswerText(42, 1, 10);
        AnswerText b = new AnswerText(42, 1, 10);
        assertThat(a.naturalLength()).isEqualTo(b.naturalLength()).isBetween(1, 10);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            String t = a.nextToken();
            assertThat(t).hasSize(Tokenizer.CHARS_PER_TOKEN);
            assertThat(b.nextToken()).isEqualTo(t);
            text.append(t);
        }
        assertThat(Tokenizer.countTokens(text)).isEqualTo(2000);
    }
}
