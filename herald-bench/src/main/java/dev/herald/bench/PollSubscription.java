package dev.herald.bench;

import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One long-polling connection of a subscriber: polls, reads the answer's messages, and polls again from the answer's
 * cursor on the same keep-alive connection. A subscriber without a cursor polls first with timeout 0, which the
 * server answers at once with where it stands: that answer counts the subscriber connected. A 429 or 503 is
 * retried after a second; other refusals end the attempt.
 */
final class PollSubscription extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final SubscriberChannels channels;
    private final Subscriber subscriber;

    PollSubscription(SubscriberChannels channels, Subscriber subscriber) {
        this.channels = channels;
        this.subscriber = subscriber;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        poll(ctx);
    }

    private void poll(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        int timeout = subscriber.cursor.isEmpty() ? 0 : channels.options().pollTimeout();
        Template.Values values = channels.values(subscriber, timeout);
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                channels.url().render(values));
        request.headers().set("Accept", "application/json");
        channels.addHeaders(request.headers(), subscriber, values);
        ctx.writeAndFlush(request);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        HttpResponseStatus status = response.status();
        if (status.equals(HttpResponseStatus.TOO_MANY_REQUESTS) || status.equals(HttpResponseStatus.SERVICE_UNAVAILABLE)) {
            channels.fleet().error("poll: HTTP " + status + " (retried)");
            ctx.executor().schedule(() -> poll(ctx), 1, TimeUnit.SECONDS);
            return;
        }
        if (!status.equals(HttpResponseStatus.OK)) {
            channels.fleet().error("poll: HTTP " + status);
            ctx.close();
            return;
        }
        LocalFleet fleet = channels.fleet();
        try {
            String cursor = PollAnswer.read(new ByteBufInputStream(response.content()),
                    data -> fleet.deliver(subscriber, data));
            if (!cursor.isEmpty()) {
                subscriber.cursor = cursor;
            }
        } catch (IOException e) {
            fleet.error("poll answer: " + e.getMessage());
            ctx.close();
            return;
        }
        fleet.connected(subscriber);
        if (HttpUtil.isKeepAlive(response)) {
            poll(ctx);
        } else {
            ctx.close(); // the subscriber comes back on a new connection
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        channels.fleet().error("poll: " + cause);
        ctx.close();
    }
}
