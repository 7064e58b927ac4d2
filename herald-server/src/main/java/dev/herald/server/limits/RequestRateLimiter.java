package dev.herald.server.limits;

import dev.herald.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Refuses requests from an address over its rate with 429 and {@code Retry-After}; the connection stays. One
 * per connection.
 *
 * <p>When the buckets answer later (a cluster's, in Redis), the request waits here, and so does whatever the
 * connection sends after it (pipelined requests): the connection stops reading until the answer comes, and the
 * requests go on in the order they came, so that the answers do too. With this node's own buckets the answer
 * is there at once and nothing waits.
 */
public final class RequestRateLimiter extends ChannelInboundHandlerAdapter {
    private final int perSecond;
    private final RateLimits limits;
    // Event loop only. What arrived while a request waited for its answer, in order; bounded by what one read
    // gives, since the connection stops reading while anything waits.
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private boolean checking;
    private boolean resumeReading;

    public RequestRateLimiter(int perSecond, RateLimits limits) {
        this.perSecond = perSecond;
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (checking) {
            waiting.add(msg);
            return;
        }
        admit(ctx, msg);
    }

    private void admit(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)
                || !(ctx.channel().remoteAddress() instanceof InetSocketAddress address)) {
            ctx.fireChannelRead(msg);
            return;
        }
        CompletableFuture<Optional<Duration>> wait = limits.acquire("ip:" + address.getAddress().getHostAddress(),
                1, perSecond, 2.0 * perSecond).toCompletableFuture();
        if (wait.isDone()) {
            decide(ctx, request, wait.join());
            return;
        }
        checking = true;
        resumeReading = ctx.channel().config().isAutoRead();
        ctx.channel().config().setAutoRead(false);
        wait.whenCompleteAsync((w, failure) -> {
            checking = false;
            if (!ctx.channel().isActive()) {
                request.release();
                return; // channelInactive released the rest
            }
            // Reading resumes before the request goes on, so that a handler after this one that stops reading
            // (a WebSocket under backpressure) is not overridden.
            if (resumeReading) {
                ctx.channel().config().setAutoRead(true);
            }
            decide(ctx, request, w == null ? Optional.empty() : w); // RateLimits never fail; if one did: admit
            while (!checking && !waiting.isEmpty()) {
                admit(ctx, waiting.poll());
            }
        }, ctx.executor());
    }

    private void decide(ChannelHandlerContext ctx, FullHttpRequest request, Optional<Duration> wait) {
        if (wait.isEmpty()) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            Responses.send(ctx, request, TooMany.problem("request-rate", "This address sends requests "
                    + "faster than the limit of " + perSecond + " per second (limits.requestsPerSecondPerIp).",
                    wait.get()));
        } finally {
            request.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        for (Object msg; (msg = waiting.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
    }
}
