package dev.switchboard.contract.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockHashEncodingTest {
    private static final long[] EXTREMES = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1,
            0xFF, 0x100, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x8000_0000_0000_0001L, 0x7F7F_7F7F_7F7F_7F7FL};

    @Test
    void knownVectors() {
        assertThat(BlockHashEncoding.encode(new long[0])).isEmpty();
        assertThat(BlockHashEncoding.encode(new long[] {1})).isEqualTo("AAAAAAAAAAE=");
        assertThat(BlockHashEncoding.encode(new long[] {-1, Long.MIN_VALUE})).isEqualTo("//////////+AAAAAAAAAAA==");
        assertThat(BlockHashEncoding.decode("//////////+AAAAAAAAAAA==")).containsExactly(-1, Long.MIN_VALUE);
        assertThat(BlockHashEncoding.decode("")).isEmpty();
    }

    @Test
    void extremesRoundTrip() {
        assertThat(BlockHashEncoding.decode(BlockHashEncoding.encode(EXTREMES))).containsExactly(EXTREMES);
        for (long h : EXTREMES) {
            assertThat(BlockHashEncoding.decode(BlockHashEncoding.encode(new long[] {h}))).containsExactly(h);
        }
    }

    /** Property: any array, any length (every base64 padding case), survives the round trip and matches a reference encoder. */
    @Test
    void randomArraysRoundTripAndMatchTheReferenceEncoding() {
        SplittableRandom random = new SplittableRandom(20240611L);
        for (int trial = 0; trial < 3_000; trial++) {
            int length = trial < 64 ? trial : random.nextInt(trial % 10 == 0 ? 5_000 : 64);
            long[] hashes = new long[length];
            for (int i = 0; i < length; i++) {
                // a third extremes, a third small (leading zero bytes), a third any 64 bits
                hashes[i] = switch (random.nextInt(3)) {
                    case 0 -> EXTREMES[random.nextInt(EXTREMES.length)];
                    case 1 -> random.nextLong(-1_000, 1_000);
                    default -> random.nextLong();
                };
            }
            String encoded = BlockHashEncoding.encode(hashes);
            assertThat(encoded).isEqualTo(reference(hashes));
            assertThat(BlockHashEncoding.decode(encoded)).containsExactly(hashes);
        }
    }

    /** Property: arbitrary strings either decode to whole hashes or fail with IllegalArgumentException, nothing else. */
    @Test
    void arbitraryInputEitherDecodesOrIsRejectedCleanly() {
        SplittableRandom random = new SplittableRandom(7L);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ ,[]\n";
        for (int trial = 0; trial < 5_000; trial++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                long[] decoded = BlockHashEncoding.decode(s.toString());
                assertThat(BlockHashEncoding.decode(BlockHashEncoding.encode(decoded))).containsExactly(decoded);
            } catch (IllegalArgumentException expected) {
                assertThat(expected).hasMessageStartingWith("blockHashes ");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"AAAAAAAAAA==", "AAAAAAAAAAAA", "AA", "AAAAAAAAAAE=AAAAAAAAAAE="})
    void rejectsWhatIsNotAWholeNumberOfHashes(String encoded) {
        assertThatThrownBy(() -> BlockHashEncoding.decode(encoded)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blockHashes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2,3]", "AAAA AAAA AAE=", "AAAAAAAAAAE\n", "-_-_-_-_-_-=", "AAAAAAAAAAE==="})
    void rejectsWhatIsNotBase64(String encoded) {
        assertThatThrownBy(() -> BlockHashEncoding.decode(encoded)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("blockHashes is not base64");
    }

    @Test
    void aTruncatedStringIsRejected() {
        String encoded = BlockHashEncoding.encode(new long[] {42, 43, 44});
        for (int cut = 1; cut < encoded.length(); cut++) {
            String truncated = encoded.substring(0, encoded.length() - cut);
            if ((truncated.length() * 6 / 8) % 8 != 0) {
                assertThatThrownBy(() -> BlockHashEncoding.decode(truncated)).as(truncated)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    private static String reference(long[] hashes) {
        ByteBuffer b = ByteBuffer.allocate(8 * hashes.length);
        for (long h : hashes) {
            b.putLong(h);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }
}
