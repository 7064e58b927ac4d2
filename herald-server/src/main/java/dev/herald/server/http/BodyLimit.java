package dev.herald.server.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Aggregates request bodies up to a bound and refuses a larger one with a 413 problem (Netty's own answer has
 * no body), then closes: the rest of the body may still be on its way.
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
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
