package dev.switchboard.adapter.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.switchboard.contract.sse.SseFramer;

@Timeout(10)
class SseFrameTest {

    private static List<String> read(byte[]... frames) {
        List<String> got = new ArrayList<>();
        SseFramer framer = new SseFramer(1 << 20, (type, data, length) -> got.add(type + "|" + new String(data, 0, length,
                StandardCharsets.UTF_8)));
        for (byte[] frame : frames) {
            framer.feed(ByteBuffer.wrap(frame));
        }
        return got;
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "{\"a\":1};                     event: kv\\ndata: {\"a\":1}\\n\\n",
            "'';                            event: kv\\ndata: \\n\\n",
            "a\\nb;                          event: kv\\ndata: a\\ndata: b\\n\\n",
            "a\\r\\nb;                        event: kv\\ndata: a\\ndata: b\\n\\n",
            "a\\rb\\n;                        event: kv\\ndata: a\\ndata: b\\ndata: \\n\\n",
            "é€;                            event: kv\\ndata: é€\\n\\n",
            "' x';                          event: kv\\ndata:  x\\n\\n"})
    void encodesEveryLineOfTheDataAsADataLine(String data, String expected) {
        String unescaped = data.replace("\\r", "\r").replace("\\n", "\n");
        byte[] frame = SseFrame.of("kv", unescaped.getBytes(StandardCharsets.UTF_8)).bytes();
        assertThat(new String(frame, StandardCharsets.UTF_8)).isEqualTo(expected.replace("\\n", "\n"));
    }

    @Test
    void anyDataReadsBackWithItsLineEndsAsLineFeeds() {
        Random random = new Random(7);
        String alphabet = "ab:{}\" \r\n\té";
        for (int round = 0; round < 2000; round++) {
            StringBuilder data = new StringBuilder();
            for (int i = random.nextInt(20); i > 0; i--) {
                data.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = data.toString();
            byte[] first = SseFrame.of("kv", text.getBytes(StandardCharsets.UTF_8)).bytes();
            byte[] second = SseFrame.of("load", "x".getBytes(StandardCharsets.UTF_8)).bytes();
            String expected = text.replace("\r\n", "\n").replace('\r', '\n');
            assertThat(read(first, second)).as("data %s", text.replace("\r", "\\r").replace("\n", "\\n"))
                    .containsExactly("kv|" + expected, "load|x");
        }
    }
}
