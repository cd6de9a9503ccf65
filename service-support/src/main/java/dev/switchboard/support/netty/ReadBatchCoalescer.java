package dev.switchboard.support.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;

/**
 * Merges the body pieces of an HTTP response that arrive in one read of its connection into one piece,
 * passed on when the read ends. Nothing waits for data that has not arrived: what one read brought is
 * handed over at the end of that read, in order, byte for byte, with the response's end.
 *
 * <p>Why: an engine streams one SSE event per token, each its own HTTP chunk. When several are already
 * in hand (a burst after a pause, an engine faster than its client, the simulator in instant mode), a
 * relay that passes them on one by one pays its whole per-piece path (reactive operators, stream
 * observation, a write to the client, an HTTP chunk the next hop pays for again) for each token. After
 * this handler a relay pays it once per read; the next hop then receives one chunk where there were
 * many. Bodies are joined in a {@link CompositeByteBuf} (no copy); a piece that arrives alone is passed
 * on as it is.
 *
 * <p>Sits between the HTTP codec and Reactor Netty's bridge ({@link #install}). One per connection; not
 * sharable.
 */
public final class ReadBatchCoalescer extends ChannelInboundHandlerAdapter {
    /** The handler's name in the pipeline. */
    public static final String NAME = "switchboard.readBatchCoalescer";

    /** Pieces joined at most before the joined one is passed on without waiting for the read to end. */
    static final int MAX_PIECES = 256;

    private ByteBuf first;
    private CompositeByteBuf joined;

    /** {@code client} with this handler on each of its connections. */
    public static HttpClient install(HttpClient client) {
        return client.doOnChannelInit((observer, channel, remoteAddress) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, NAME, new ReadBatchCoalescer());
            } else {
                channel.pipeline().addLast(NAME, new ReadBatchCoalescer());
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpContent content) || msg instanceof HttpMessage || content.decoderResult().isFailure()) {
            passPending(ctx);
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof LastHttpContent last) {
            if (first == null) {
                ctx.fireChannelRead(msg);
                return;
            }
            hold(ctx, last.content()); // ownership of the buffer moves here; the message itself holds nothing else
            LastHttpContent merged = new DefaultLastHttpContent(takePending(), last.trailingHeaders());
            ctx.fireChannelRead(merged);
            return;
        }
        hold(ctx, content.content());
        if (joined != null && joined.numComponents() >= MAX_PIECES) {
            passPending(ctx);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        passPending(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        passPending(ctx); // what arrived before the connection closed is still delivered, before the close
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        passPending(ctx);
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (joined != null) {
            joined.release();
        } else if (first != null) {
            first.release();
        }
        first = null;
        joined = null;
    }

    /** Takes ownership of {@code body}. */
    private void hold(ChannelHandlerContext ctx, ByteBuf body) {
        if (!body.isReadable()) {
            body.release();
        } else if (first == null) {
            first = body;
        } else {
            if (joined == null) {
                joined = ctx.alloc().compositeBuffer(MAX_PIECES + 1);
                joined.addComponent(true, first);
            }
            joined.addComponent(true, body);
        }
    }

    private void passPending(ChannelHandlerContext ctx) {
        if (first != null) {
            ctx.fireChannelRead(new DefaultHttpContent(takePending()));
        }
    }

    private ByteBuf takePending() {
        ByteBuf pending = joined != null ? joined : first;
        first = null;
        joined = null;
        return pending;
    }
}
