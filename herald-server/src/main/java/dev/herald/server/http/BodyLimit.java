package dev.herald.server.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates request bodies up to a bound and refuses a larger one with a 413 problem (Netty's own answer has
 * no body). As Netty does, a keep-alive connection stays open and the rest of the body is read and dropped, so
 * that the client, still sending, gets to read the answer; otherwise the connection closes after it.
 */
public final class BodyLimit extends HttpObjectAggregator {
    private final int maxBodyBytes;

    public BodyLimit(int maxBodyBytes) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        var response = Responses.problem(Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body-too-large",
                "The request body is larger than the limit of " + maxBodyBytes
                        + " bytes (limits.maxBodyBytes); send fewer messages per request."));
        boolean close = oversized instanceof FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
        HttpUtil.setKeepAlive(response, !close);
        var written = ctx.writeAndFlush(response);
        written.addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
