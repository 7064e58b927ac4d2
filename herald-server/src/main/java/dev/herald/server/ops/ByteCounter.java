package dev.herald.server.ops;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/** Counts the bytes written to the socket; sits next to it, below every codec. */
@ChannelHandler.Sharable
public final class ByteCounter extends ChannelOutboundHandlerAdapter {
    private final Metrics metrics;

    public ByteCounter(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            metrics.bytesOut(buf.readableBytes());
        } else if (msg instanceof ByteBufHolder holder) {
            metrics.bytesOut(holder.content().readableBytes());
        }
        ctx.write(msg, promise);
    }
}
