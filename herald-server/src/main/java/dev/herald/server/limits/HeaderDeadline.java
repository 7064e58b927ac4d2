package dev.herald.server.limits;

import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client must send a request's headers within the deadline of opening the connection or of the previous
 * response ending; else it gets 408 and the connection closes. This defeats slowloris, which holds connections
 * by sending headers a byte at a time. A request being answered (a long poll, a stream) has no deadline.
 */
public final class HeaderDeadline extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private ScheduledFuture<?> timer;
    private int unanswered; // requests read whose response has not ended: pipelined ones wait their turn

    public HeaderDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            unanswered++;
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && unanswered > 0 && --unanswered == 0) {
            arm(ctx); // every request is answered: the next one's headers are due
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        var response = Responses.problem(Problem.of(HttpResponseStatus.REQUEST_TIMEOUT, "header-timeout",
                "The request headers did not arrive within " + timeoutNanos / 1_000_000 + " ms (limits.headerTimeout)."));
        response.headers().set("connection", "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
