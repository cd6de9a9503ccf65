package dev.switchboard.contract.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    @ParameterizedTest(name = "{0} chars -> {1} tokens")
    @CsvSource({"0,0", "1,1", "3,1", "4,1", "5,2", "8,2", "9,3", "4000,1000"})
    void countsOneTokenPerFourCharactersRoundingUp(int chars, int tokens) {
        assertThat(Tokenizer.countTokens("a".repeat(chars))).isEqualTo(tokens);
        assertThat(Tokenizer.countTokens(chars)).isEqualTo(tokens);
    }

    @Test
    void rejectsNegativeLengths() {
        assertThatThrownBy(() -> Tokenizer.countTokens(-1)).hasMessage("chars must be >= 0, but was -1");
    }
}
