package dev.herald.server.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a WebSocket alive through proxies and finds dead peers: answers the client's pings, takes its pongs,
 * and on each {@link Pings} tick sends a ping; a connection from which nothing arrived (no pong, no frame) for
 * two ticks is closed with 1001. Any frame counts as a sign of life, so a busy client need not pong promptly.
 */
final class Keepalive extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Keepalive.class);
    /** Ticks without a frame from the client after which it is taken for gone. */
    static final int SILENT_TICKS = 2;

    private final Pings pings;
    private ChannelHandlerContext ctx;
    private boolean heard = true;
    private int silentTicks;

    Keepalive(Pings pings) {
        this.pings = pings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        pings.add(ctx.channel().eventLoop(), this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        pings.remove(ctx.channel().eventLoop(), this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        heard = true;
        if (msg instanceof PingWebSocketFrame ping) {
            // The pong carries the ping's payload, whose buffer it now owns.
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
        } else if (msg instanceof PongWebSocketFrame pong) {
            pong.release();
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pings.remove(ctx.channel().eventLoop(), this);
        ctx.fireChannelInactive();
    }

    /** Runs on the event loop, once per interval. */
    void tick() {
        if (!ctx.channel().isActive()) {
            pings.remove(ctx.channel().eventLoop(), this);
            return;
        }
        if (heard) {
            silentTicks = 0;
        } else if (++silentTicks >= SILENT_TICKS) {
            log.debug("{} WebSocket closed: no answer to {} pings", ctx.channel(), silentTicks);
            pings.remove(ctx.channel().eventLoop(), this);
            // The peer is silent, perhaps gone: no closing handshake to wait for.
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE,
                    "no answer to pings")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        heard = false;
        // An empty ping: EMPTY_BUFFER is shared and never freed.
        ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER), ctx.voidPromise());
    }
}
