package dev.switchboard.contract.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
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
    private static final String BOM = "\uFEFF";

    /** Events as "type=data", data decoded as UTF-8. */
    private static final class Collector implements SseFramer.Listener {
        final List<String> events = new ArrayList<>();
        final List<String> types = new ArrayList<>();

        @Override
        public void onEvent(String type, byte[] data, int length) {
            events.add(type + "=" + new String(data, 0, length, StandardCharsets.UTF_8));
            types.add(type);
        }
    }

    /**
     * Feeds {@code wire} in pieces cut by {@code cuts} (one piece if null), as heap buffers with and
     * without an array offset, direct buffers, read-only buffers and empty reads.
     */
    private static void feed(SseFramer framer, byte[] wire, Random cuts) {
        int at = 0;
        while (at < wire.length) {
            int n = cuts == null ? wire.length : cuts.nextInt(Math.min(12, wire.length - at) + 1);
            framer.feed(buffer(wire, at, n, cuts == null ? 0 : cuts.nextInt(4)));
            at += n;
        }
    }

    private static ByteBuffer buffer(byte[] wire, int at, int n, int kind) {
        return switch (kind) {
            case 0 -> ByteBuffer.wrap(wire, at, n);
            case 1 -> ByteBuffer.wrap(wire, at, n).slice(); // non-zero array offset
            case 2 -> ByteBuffer.allocateDirect(n).put(wire, at, n).flip();
            default -> ByteBuffer.wrap(wire, at, n).asReadOnlyBuffer();
        };
    }

    private static List<String> frame(String wire, Random cuts, boolean finish) {
        Collector events = new Collector();
        SseFramer framer = new SseFramer(1 << 20, events);
        feed(framer, wire.getBytes(StandardCharsets.UTF_8), cuts);
        if (finish) {
            framer.finish();
        }
        return events.events;
    }

    static Stream<Arguments> streams() {
        return Stream.of(
                Arguments.of("one event", "event:load\ndata:{\"a\":1}\n\n", List.of("load={\"a\":1}")),
                Arguments.of("one space after the colon dropped, not two", "event: kv\ndata:  x\n\n", List.of("kv= x")),
                Arguments.of("a tab after the colon is kept", "data:\tx\n\n", List.of("message=\tx")),
                Arguments.of("colons in the value are kept", "data: {\"a\":\"b:c\"}\n\n", List.of("message={\"a\":\"b:c\"}")),
                Arguments.of("CRLF line ends", "event:load\r\ndata:1\r\n\r\nevent:kv\r\ndata:2\r\n\r\n",
                        List.of("load=1", "kv=2")),
                Arguments.of("CR line ends", "event:load\rdata:1\r\r", List.of("load=1")),
                Arguments.of("mixed line ends", "data:a\r\ndata:b\rdata:c\n\r\n", List.of("message=a\nb\nc")),
                Arguments.of("LF CR is two line ends", "data:a\n\r", List.of("message=a")),
                Arguments.of("data lines joined with LF", "data:a\ndata:b\n\n", List.of("message=a\nb")),
                Arguments.of("empty data lines are kept", "data:\ndata:\ndata: x\n\n", List.of("message=\n\nx")),
                Arguments.of("comments, ids and unknown fields ignored", ": hi\nid:7\nretry:10\nevent:x\nfoo:bar\ndata:d\n\n",
                        List.of("x=d")),
                Arguments.of("a comment between data lines", "data:a\n:ping\ndata:b\n\n", List.of("message=a\nb")),
                Arguments.of("field names are case-sensitive and exact", "Data:a\ndata :b\ndatas:c\nEVENT:e\ndata:d\n\n",
                        List.of("message=d")),
                Arguments.of("heartbeat with empty data", "event:heartbeat\ndata:\n\n", List.of("heartbeat=")),
                Arguments.of("field without colon is a field with empty value", "event:e\ndata\n\n", List.of("e=")),
                Arguments.of("an empty event field means message", "event:\ndata:x\n\n", List.of("message=x")),
                Arguments.of("the last event field wins", "event:a\nevent:b\ndata:x\n\n", List.of("b=x")),
                Arguments.of("an event without data is not dispatched", "event:ping\n\ndata:x\n\n", List.of("message=x")),
                Arguments.of("blank lines alone dispatch nothing", "\n\n\r\n\r", List.of()),
                Arguments.of("unfinished event is not dispatched", "event:load\ndata:1\n", List.of()),
                Arguments.of("type does not leak into the next event", "event:a\ndata:1\n\ndata:2\n\n", List.of("a=1", "message=2")),
                Arguments.of("multi-byte UTF-8 kept intact", "event:é\ndata:zürich→東京\n\n", List.of("é=zürich→東京")),
                Arguments.of("a leading BOM is dropped", BOM + "data:x\n\n", List.of("message=x")),
                Arguments.of("only the first BOM is dropped", BOM + BOM + "data:x\n\ndata:y\n\n", List.of("message=y")),
                Arguments.of("a BOM after the start is content", "data:" + BOM + "x\n\n", List.of("message=" + BOM + "x")),
                Arguments.of("OpenAI stream", "data: {\"choices\":[]}\n\ndata: [DONE]\n\n",
                        List.of("message={\"choices\":[]}", "message=[DONE]")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streams")
    void framesEventsWhereverTheReadsAreCut(String name, String wire, List<String> expected) {
        assertThat(frame(wire, null, false)).isEqualTo(expected);
        Random cuts = new Random(name.hashCode());
        for (int trial = 0; trial < 300; trial++) {
            assertThat(frame(wire, cuts, false)).as("trial %d", trial).isEqualTo(expected);
        }
    }

    @Test
    void bytesThatOnlyStartLikeABomAreContent() {
        byte[] wire = {(byte) 0xEF, (byte) 0xBB, ':', 'c', '\n', 'd', 'a', 't', 'a', ':', 'x', '\n', '\n'};
        for (int cut = 0; cut <= wire.length; cut++) {
            Collector events = new Collector();
            SseFramer framer = new SseFramer(64, events);
            framer.feed(ByteBuffer.wrap(wire, 0, cut));
            framer.feed(ByteBuffer.wrap(wire, cut, wire.length - cut));
            // "\xEF\xBB:c" is a field with an unknown name, not a comment, and nothing is lost
            assertThat(events.events).as("cut at %d", cut).containsExactly("message=x");
        }
    }

    @Test
    void finishDeliversAnUnterminatedLastEventWhenAsked() {
        assertThat(frame("data: [DONE]", null, true)).containsExactly("message=[DONE]");
        assertThat(frame("data: a\ndata: b\n", null, true)).containsExactly("message=a\nb");
        assertThat(frame("event: e\ndata: x\r", new Random(5), true)).containsExactly("e=x");
        assertThat(frame("data: x\n\n", null, true)).containsExactly("message=x");
        assertThat(frame(": only a comment", null, true)).isEmpty();
        assertThat(frame("\uFEFF", null, true)).isEmpty();
    }

    @Test
    void dropsAnEventOverTheLimitAndKeepsFramingTheRest() {
        Collector events = new Collector();
        SseFramer framer = new SseFramer(8, events);
        String wire = "event:kv\ndata:" + "x".repeat(100) + "\n\nevent:load\ndata:small\n\n"
                + "data:1234\ndata:5678\n\n: a long comment is fine " + "y".repeat(100) + "\ndata:12345678\n\n";
        feed(framer, wire.getBytes(StandardCharsets.UTF_8), new Random(3));
        assertThat(events.events).containsExactly("load=small", "message=12345678");
        assertThat(framer.oversizedEvents()).isEqualTo(2);
    }

    @Test
    void readsEventsLargerThanOneCopyOfADirectBuffer() {
        String big = "z".repeat(50_000);
        byte[] wire = ("data:" + big + "\n\n").getBytes(StandardCharsets.US_ASCII);
        Collector events = new Collector();
        new SseFramer(1 << 20, events).feed(ByteBuffer.allocateDirect(wire.length).put(wire).flip());
        assertThat(events.events).containsExactly("message=" + big);
    }

    @Test
    void consumesTheBuffer() {
        ByteBuffer heap = ByteBuffer.wrap("data:x\n\n".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer direct = ByteBuffer.allocateDirect(8).put("data:y\n\n".getBytes(StandardCharsets.US_ASCII)).flip();
        Collector events = new Collector();
        SseFramer framer = new SseFramer(64, events);
        framer.feed(heap);
        framer.feed(direct);
        assertThat(heap.hasRemaining()).isFalse();
        assertThat(direct.hasRemaining()).isFalse();
        assertThat(events.events).containsExactly("message=x", "message=y");
    }

    @Test
    void reusesTheTypeStringOfARepeatedType() {
        Collector events = new Collector();
        SseFramer framer = new SseFramer(64, events);
        feed(framer, "event:load\ndata:1\n\nevent:kv\ndata:2\n\nevent:load\ndata:3\n\n".getBytes(StandardCharsets.US_ASCII),
                new Random(1));
        assertThat(events.types).containsExactly("load", "kv", "load");
        assertThat(events.types.get(2)).isSameAs(events.types.get(0));
    }

    /** Streams made of SSE-ish pieces, framed with random cuts, agree with a line-by-line reading of the spec. */
    @Test
    void agreesWithTheSpecOnRandomStreams() {
        String[] pieces = {"data", "event", "id", "retry", ":", ": ", " ", "\n", "\r", "\r\n", "\n\n", "x", "é", "{\"a\":1}",
                "message", "Data", BOM};
        Random random = new Random(42);
        for (int trial = 0; trial < 3000; trial++) {
            StringBuilder wire = new StringBuilder(random.nextInt(4) == 0 ? BOM : "");
            for (int n = random.nextInt(40); n > 0; n--) {
                wire.append(pieces[random.nextInt(pieces.length)]);
            }
            boolean finish = random.nextBoolean();
            String text = wire.toString();
            assertThat(frame(text, random, finish)).as("%s (finish %s)", text.replace("\r", "\\r").replace("\n", "\\n"), finish)
                    .isEqualTo(SpecReading.events(text, finish));
        }
    }

    @Test
    void survivesRandomBytes() {
        Random random = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            byte[] bytes = new byte[random.nextInt(400)];
            random.nextBytes(bytes);
            List<Integer> lengths = new ArrayList<>();
            SseFramer framer = new SseFramer(64, (type, data, length) -> lengths.add(length));
            feed(framer, bytes, random);
            framer.finish();
            assertThat(lengths).allSatisfy(length -> assertThat(length).isBetween(0, 64));
        }
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new SseFramer(0, (type, data, length) -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    /** The spec's algorithm written plainly, over whole strings: the oracle for the random streams. */
    private static final class SpecReading {
        private final List<String> events = new ArrayList<>();
        private StringBuilder data;
        private String type = "";

        static List<String> events(String wire, boolean finish) {
            SpecReading reading = new SpecReading();
            String rest = wire.startsWith(BOM) ? wire.substring(1) : wire;
            int at = 0;
            while (true) {
                int cr = rest.indexOf('\r', at);
                int lf = rest.indexOf('\n', at);
                int end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
                if (end < 0) {
                    break;
                }
                reading.line(rest.substring(at, end));
                at = end + (rest.startsWith("\r\n", end) ? 2 : 1);
            }
            if (finish) {
                if (at < rest.length()) {
                    reading.line(rest.substring(at));
                }
                reading.line("");
            }
            return reading.events;
        }

        private void line(String line) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add((type.isEmpty() ? "message" : type) + "=" + data);
                }
                data = null;
                type = "";
                return;
            }
            if (line.startsWith(":")) {
                return;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("data")) {
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            } else if (field.equals("event")) {
                type = value;
            }
        }
    }
}
