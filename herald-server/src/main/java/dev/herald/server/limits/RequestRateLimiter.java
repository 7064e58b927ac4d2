package dev.herald.server.limits;

import dev.herald.server.http.Responses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/** Refuses requests from an address over its rate with 429 and {@code Retry-After}; the connection stays. */
@ChannelHandler.Sharable
public final class RequestRateLimiter extends ChannelInboundHandlerAdapter {
    private final int perSecond;
    private final RateLimiter<InetAddress> rate;

    public RequestRateLimiter(int perSecond, RateLimiter<InetAddress> rate) {
        this.perSecond = perSecond;
        this.rate = rate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            Optional<Duration> wait = rate.acquire(a.getAddress(), 1, perSecond, 2.0 * perSecond);
            if (wait.isPresent()) {
                try {
                    Responses.send(ctx, request, TooMany.problem("request-rate", "This address sends requests "
                            + "faster than the limit of " + perSecond + " per second (limits.requestsPerSecondPerIp).",
                            wait.get()));
                } finally {
                    request.release();
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
