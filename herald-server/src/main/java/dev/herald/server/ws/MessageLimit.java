package dev.herald.server.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

/**
 * Joins a fragmented message into one frame up to a bound. A larger one is reported as the frame decoder reports
 * one frame over the bound, so that the session answers both alike: a close with 1009 (message too big).
 */
final class MessageLimit extends WebSocketFrameAggregator {
    private final int maxBytes;

    MessageLimit(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, WebSocketFrame oversized) {
        // The rest of the message is dropped as it arrives.
        ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                "message over " + maxBytes + " bytes"));
    }
}
