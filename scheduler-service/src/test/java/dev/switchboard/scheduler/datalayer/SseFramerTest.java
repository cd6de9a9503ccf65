package dev.switchboard.scheduler.datalayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SseFramerTest {
    private static List<String> frame(SseFramer framer, String wire, Random cuts) {
        byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int n = cuts == null ? bytes.length : 1 + cuts.nextInt(Math.min(9, bytes.length - at));
            for (SseFramer.Event e : framer.feed(bytes, at, n)) {
                out.add(e.type() + "=" + new String(e.data(), StandardCharsets.UTF_8));
            }
            at += n;
        }
        return out;
    }

    static Stream<Arguments> streams() {
        return Stream.of(
                Arguments.of("one event", "event:load\ndata:{\"a\":1}\n\n", List.of("load={\"a\":1}")),
                Arguments.of("space after colon dropped once", "event: kv\ndata:  x\n\n", List.of("kv= x")),
                Arguments.of("CRLF line ends", "event:load\r\ndata:1\r\n\r\nevent:kv\r\ndata:2\r\n\r\n",
                        List.of("load=1", "kv=2")),
                Arguments.of("CR line ends", "event:load\rdata:1\r\r", List.of("load=1")),
                Arguments.of("data lines joined with LF", "data:a\ndata:b\n\n", List.of("message=a\nb")),
                Arguments.of("comments, ids and unknown fields ignored", ": hi\nid:7\nretry:10\nevent:x\nfoo:bar\ndata:d\n\n",
                        List.of("x=d")),
                Arguments.of("heartbeat with empty data", "event:heartbeat\ndata:\n\n", List.of("heartbeat=")),
                Arguments.of("field without colon is a field with empty value", "event:e\ndata\n\n", List.of("e=")),
                Arguments.of("blank lines alone dispatch nothing", "\n\n\r\n", List.of()),
                Arguments.of("unfinished event is not dispatched", "event:load\ndata:1\n", List.of()),
                Arguments.of("type does not leak into the next event", "event:a\ndata:1\n\ndata:2\n\n", List.of("a=1", "message=2")),
                Arguments.of("multi-byte UTF-8 kept intact", "data:zürich→東京\n\n", List.of("message=zürich→東京")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streams")
    void framesEventsWhereverTheReadsAreCut(String name, String wire, List<String> expected) {
        assertThat(frame(new SseFramer(1 << 20), wire, null)).isEqualTo(expected);
        Random cuts = new Random(name.hashCode());
        for (int trial = 0; trial < 300; trial++) {
            assertThat(frame(new SseFramer(1 << 20), wire, cuts)).as("trial %d", trial).isEqualTo(expected);
        }
    }

    @Test
    void dropsAnEventOverTheLimitAndKeepsFramingTheRest() {
        SseFramer framer = new SseFramer(8);
        String wire = "event:kv\ndata:" + "x".repeat(100) + "\n\nevent:load\ndata:small\n\n"
                + "data:1234\ndata:5678\n\n";
        assertThat(frame(framer, wire, new Random(3))).containsExactly("load=small");
        assertThat(framer.oversizedEvents()).isEqualTo(2);
    }

    @Test
    void survivesRandomBytes() {
        Random random = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            byte[] bytes = new byte[random.nextInt(400)];
            random.nextBytes(bytes);
            SseFramer framer = new SseFramer(64);
            int at = 0;
            while (at < bytes.length) {
                int n = 1 + random.nextInt(bytes.length - at);
                framer.feed(bytes, at, n).forEach(e -> assertThat(e.data().length).isLessThanOrEqualTo(64));
                at += n;
            }
        }
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new SseFramer(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
