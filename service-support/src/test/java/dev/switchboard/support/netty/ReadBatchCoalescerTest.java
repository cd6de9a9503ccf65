package dev.switchboard.support.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ReadBatchCoalescerTest {

    /**
     * Input script: "H" a response head, "c:text" a body piece, "l:text" the last piece ("l:" an empty one),
     * "|" the end of a read. Output: what leaves the handler, in the same notation.
     */
    static Stream<Arguments> scripts() {
        return Stream.of(
                Arguments.of("pieces of one read leave as one, at the end of the read",
                        "H c:a c:b c:c |", "H c:abc"),
                Arguments.of("the last piece takes what waits with it",
                        "H c:a c:b l:c |", "H l:abc"),
                Arguments.of("an empty last piece ends what waits",
                        "H c:a c:b l: |", "H l:ab"),
                Arguments.of("a piece alone passes as it is",
                        "H | c:a | c:b | l: |", "H c:a c:b l:"),
                Arguments.of("reads are never merged with each other",
                        "H c:a c:b | c:c c:d |", "H c:ab c:cd"),
                Arguments.of("empty pieces carry nothing",
                        "H c: c:a c: |", "H c:a"),
                Arguments.of("a head passes what waits before it (the next response on a kept-alive connection)",
                        "H c:a l: H c:b |", "H l:a H c:b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void coalescesWhatOneReadBrought(String name, String input, String expected) {
        EmbeddedChannel channel = new EmbeddedChannel(new ReadBatchCoalescer());
        List<ByteBuf> sent = new ArrayList<>();
        for (String step : input.split(" ")) {
            if (step.equals("|")) {
                channel.pipeline().fireChannelReadComplete();
            } else {
                channel.pipeline().fireChannelRead(message(step, sent));
            }
        }
        assertThat(drain(channel)).isEqualTo(expected);
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).as("released").isZero());
    }

    @Test
    void deliversWhatWaitsBeforeTheConnectionCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(new ReadBatchCoalescer());
        read(channel, message("H", new ArrayList<>()), message("c:a", new ArrayList<>()), message("c:b", new ArrayList<>()));
        channel.close();
        assertThat(drain(channel)).isEqualTo("H c:ab");
    }

    @Test
    void aFailedDecodePassesThroughAfterWhatWaits() {
        EmbeddedChannel channel = new EmbeddedChannel(new ReadBatchCoalescer());
        HttpContent broken = new DefaultHttpContent(Unpooled.EMPTY_BUFFER);
        broken.setDecoderResult(DecoderResult.failure(new IllegalStateException("bad chunk")));
        read(channel, message("c:a", new ArrayList<>()), broken);
        assertThat((Object) channel.readInbound()).isInstanceOfSatisfying(HttpContent.class,
                c -> assertThat(c.content().toString(StandardCharsets.UTF_8)).isEqualTo("a"));
        assertThat((Object) channel.readInbound()).isSameAs(broken);
        channel.finishAndReleaseAll();
    }

    @Test
    void passesWithoutWaitingForTheReadOnceManyPiecesWait() {
        EmbeddedChannel channel = new EmbeddedChannel(new ReadBatchCoalescer());
        for (int i = 0; i < ReadBatchCoalescer.MAX_PIECES; i++) {
            read(channel, message("c:x", new ArrayList<>()));
        }
        HttpContent out = channel.readInbound();
        assertThat(out.content().readableBytes()).isEqualTo(ReadBatchCoalescer.MAX_PIECES);
        out.release();
        assertThat((Object) channel.readInbound()).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void releasesWhatWaitsWhenRemoved() {
        EmbeddedChannel channel = new EmbeddedChannel(new ReadBatchCoalescer());
        List<ByteBuf> sent = new ArrayList<>();
        read(channel, message("c:a", sent), message("c:b", sent));
        channel.pipeline().removeFirst();
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        channel.finishAndReleaseAll();
    }

    /** Any cut of a body into pieces and reads: the same bytes in the same order, one end, nothing leaked. */
    @Test
    void anyCutGivesTheSameBytesOnce() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            EmbeddedChannel channel = new EmbeddedChannel(new ReadBatchCoalescer());
            List<ByteBuf> sent = new ArrayList<>();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int pieces = 1 + random.nextInt(40);
            int reads = 0;
            read(channel, new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
            for (int p = 0; p < pieces; p++) {
                byte[] bytes = new byte[random.nextInt(5)];
                random.nextBytes(bytes);
                body.writeBytes(bytes);
                ByteBuf buf = Unpooled.copiedBuffer(bytes);
                sent.add(buf);
                read(channel, p == pieces - 1 ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf));
                if (random.nextInt(4) == 0) {
                    channel.pipeline().fireChannelReadComplete();
                    reads++;
                }
            }
            channel.pipeline().fireChannelReadComplete();
            reads++;

            assertThat((Object) channel.readInbound()).isInstanceOf(HttpResponse.class);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            int messages = 0;
            boolean ended = false;
            for (Object m; (m = channel.readInbound()) != null; messages++) {
                assertThat(ended).as("nothing after the end").isFalse();
                HttpContent c = (HttpContent) m;
                received.writeBytes(ByteBufUtil.getBytes(c.content()));
                ended = m instanceof LastHttpContent;
                c.release();
            }
            assertThat(ended).isTrue();
            assertThat(received.toByteArray()).isEqualTo(body.toByteArray());
            assertThat(messages).isLessThanOrEqualTo(reads);
            // (an empty copied buffer is Netty's shared EMPTY_BUFFER, never released)
            assertThat(sent).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
            assertThat(channel.finish()).isFalse();
        }
    }

    /** Through a real client connection, kept alive and reused: every response whole, each once. */
    @Test
    void aReactorNettyClientReceivesEveryStreamWhole() {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> res.header("content-type", "text/event-stream")
                        .sendString(Flux.range(0, 50).map(i -> "data: " + i + "\n\n")))
                .bindNow();
        ConnectionProvider pool = ConnectionProvider.create("coalescer-test", 1);
        try {
            List<Boolean> installed = new ArrayList<>();
            HttpClient client = ReadBatchCoalescer.install(HttpClient.create(pool).baseUrl("http://127.0.0.1:" + server.port()))
                    .doOnConnected(c -> installed.add(c.channel().pipeline().get(ReadBatchCoalescer.NAME) != null));
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                expected.append("data: ").append(i).append("\n\n");
            }
            int received = 0;
            for (int request = 0; request < 5; request++) {
                List<String> pieces = client.get().uri("/").responseContent().asString().collectList()
                        .block(Duration.ofSeconds(5));
                assertThat(String.join("", pieces)).isEqualTo(expected.toString());
                received += pieces.size();
            }
            assertThat(installed).containsOnly(true);
            // the server writes its 50 chunks with one flush: unless every chunk came in a read of its own, fewer arrive
            assertThat(received).isLessThan(5 * 50);
        } finally {
            pool.dispose();
            server.disposeNow();
        }
    }

    /** Messages of a read that has not ended ({@code writeInbound} would end it after each). */
    private static void read(EmbeddedChannel channel, Object... messages) {
        for (Object m : messages) {
            channel.pipeline().fireChannelRead(m);
        }
    }

    private static Object message(String step, List<ByteBuf> sent) {
        if (step.equals("H")) {
            return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        }
        ByteBuf buf = Unpooled.copiedBuffer(step.substring(2), StandardCharsets.UTF_8);
        sent.add(buf);
        return step.startsWith("l:") ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf);
    }

    private static String drain(EmbeddedChannel channel) {
        List<String> out = new ArrayList<>();
        for (Object m; (m = channel.readInbound()) != null; ) {
            if (m instanceof HttpResponse) {
                out.add("H");
            } else {
                HttpContent c = (HttpContent) m;
                out.add((m instanceof LastHttpContent ? "l:" : "c:") + c.content().toString(StandardCharsets.UTF_8));
                c.release();
            }
        }
        return String.join(" ", out);
    }
}
