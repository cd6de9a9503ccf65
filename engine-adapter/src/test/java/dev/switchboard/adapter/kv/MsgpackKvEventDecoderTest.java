package dev.switchboard.adapter.kv;

import static dev.switchboard.adapter.kv.KvPayloads.BIG_HASH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.KvEvent.HashSpace;
import dev.switchboard.contract.wire.KvEvent.Kind;

class MsgpackKvEventDecoderTest {
    private final MsgpackKvEventDecoder decoder = new MsgpackKvEventDecoder(HashSpace.ENGINE);

    static Stream<Arguments> payloads() {
        byte[] sha = new byte[32];
        for (int i = 0; i < 32; i++) {
            sha[i] = (byte) (i + 1);
        }
        long lastEightOfSha = 0x191A1B1C1D1E1F20L;
        return Stream.of(
                Arguments.of("positional stored, parent, GPU",
                        KvPayloads.batch(1, p -> KvPayloads.positionalStored(p, List.of(11L, -12L), 7L, "GPU")),
                        List.of(new KvEvent(Kind.STORED, new long[] {11, -12}, 7L, 16, "GPU", HashSpace.ENGINE))),
                Arguments.of("positional stored, no parent, medium None -> GPU",
                        KvPayloads.batch(1, p -> KvPayloads.positionalStored(p, List.of(5L), null, null)),
                        List.of(new KvEvent(Kind.STORED, new long[] {5}, null, 16, "GPU", HashSpace.ENGINE))),
                Arguments.of("positional removed (trailing medium omitted) and cleared",
                        KvPayloads.batch(2, p -> {
                            KvPayloads.positionalRemoved(p, List.of(1L, 2L, 3L));
                            KvPayloads.positionalCleared(p);
                        }),
                        List.of(new KvEvent(Kind.REMOVED, new long[] {1, 2, 3}, null, 0, null, HashSpace.ENGINE),
                                KvEvent.cleared())),
                Arguments.of("keyed stored with a uint64 hash above Long.MAX_VALUE",
                        KvPayloads.batch(1, p -> KvPayloads.keyedStored(p, BIG_HASH, 42L)),
                        List.of(new KvEvent(Kind.STORED, new long[] {BIG_HASH.longValue()}, 42L, 16, "GPU", HashSpace.ENGINE))),
                Arguments.of("keyed removed with 32-byte hashes (last 8 bytes, big-endian) and cleared",
                        KvPayloads.batch(2, p -> {
                            KvPayloads.keyedRemovedWithByteHashes(p, sha);
                            KvPayloads.keyedCleared(p);
                        }),
                        List.of(new KvEvent(Kind.REMOVED, new long[] {lastEightOfSha}, null, 0, "CPU", HashSpace.ENGINE),
                                KvEvent.cleared())),
                Arguments.of("mixed encodings in one batch",
                        KvPayloads.batch(2, p -> {
                            KvPayloads.positionalCleared(p);
                            KvPayloads.keyedStored(p, java.math.BigInteger.valueOf(9), null);
                        }),
                        List.of(KvEvent.cleared(), new KvEvent(Kind.STORED, new long[] {9}, null, 16, "GPU", HashSpace.ENGINE))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void decodesBothEncodings(String what, byte[] payload, List<KvEvent> expected) {
        KvEventDecoder.Decoded decoded = decoder.decode(payload);
        assertThat(decoded.events()).isEqualTo(expected);
        assertThat(decoded.unknownEvents()).isZero();
    }

    @Test
    void theBigHashKeepsItsSixtyFourBits() {
        KvEvent e = decoder.decode(KvPayloads.batch(1, p -> KvPayloads.keyedStored(p, BIG_HASH, null))).events().get(0);
        assertThat(Long.toUnsignedString(e.blockHashes()[0])).isEqualTo(BIG_HASH.toString());
    }

    @Test
    void unknownEventTypesAreSkippedAndCounted() {
        KvEventDecoder.Decoded decoded = decoder.decode(KvPayloads.batch(2, p -> {
            KvPayloads.unknown(p);
            KvPayloads.positionalCleared(p);
        }));
        assertThat(decoded.events()).containsExactly(KvEvent.cleared());
        assertThat(decoded.unknownEvents()).isEqualTo(1);
    }

    @Test
    void theConfiguredHashSpaceIsStamped() {
        KvEvent e = new MsgpackKvEventDecoder(HashSpace.SWITCHBOARD)
                .decode(KvPayloads.batch(1, p -> KvPayloads.positionalStored(p, List.of(1L), null, "GPU"))).events().get(0);
        assertThat(e.hashSpace()).isEqualTo(HashSpace.SWITCHBOARD);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("not msgpack", new byte[] {(byte) 0xc1}),
                Arguments.of("a bare string", KvPayloads.pack(p -> p.packString("hello"))),
                Arguments.of("batch without events", KvPayloads.pack(p -> p.packArrayHeader(1).packDouble(1.0))),
                Arguments.of("event list is not a list", KvPayloads.pack(p -> p.packArrayHeader(2).packDouble(1).packInt(3))),
                Arguments.of("hash is a string", KvPayloads.batch(1, p -> {
                    p.packArrayHeader(2).packString("BlockRemoved").packArrayHeader(1).packString("abc");
                })),
                Arguments.of("keyed event without type", KvPayloads.batch(1, p -> p.packMapHeader(1).packString("x").packInt(1))),
                Arguments.of("trailing garbage", concat(KvPayloads.batch(1, KvPayloads::positionalCleared), new byte[] {1})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedPayloadsAreRejected(String what, byte[] payload) {
        assertThatThrownBy(() -> decoder.decode(payload)).isInstanceOf(KvEventDecoder.MalformedPayloadException.class);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
