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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One long-polling connection of a subscriber: polls, reads the answer's messages, and polls again from the answer's
 * cursor on the same keep-alive connection. A 429 or 503 is retried after a second; other refusals end the attempt.
 *
 * <p>{@link PollProtocol#HERALD}: a subscriber without a cursor polls first with timeout 0, which the server
 * answers at once with where it stands: that answer counts the subscriber connected.
 * {@link PollProtocol#CONDITIONAL}: the first poll waits for the next message, so the subscriber counts as
 * connected once that poll is sent; each answer carries one message, and its {@code Last-Modified} and
 * {@code ETag} are the cursor.
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

    private boolean conditional() {
        return channels.options().pollProtocol() == PollProtocol.CONDITIONAL;
    }

    private void poll(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        boolean first = subscriber.cursor.isEmpty();
        int timeout = first && !conditional() ? 0 : channels.options().pollTimeout();
        Template.Values values = channels.values(subscriber, timeout);
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                channels.url().render(values));
        request.headers().set("Accept", "application/json");
        if (conditional() && !first) {
            int tab = subscriber.cursor.indexOf('\t');
            request.headers().set("If-Modified-Since", subscriber.cursor.substring(0, tab));
            request.headers().set("If-None-Match", subscriber.cursor.substring(tab + 1));
        }
        channels.addHeaders(request.headers(), subscriber, values);
        var written = ctx.writeAndFlush(request);
        if (conditional() && first) {
            written.addListener(f -> {
                if (f.isSuccess()) {
                    channels.fleet().connected(subscriber);
                }
            });
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        HttpResponseStatus status = response.status();
        if (status.equals(HttpResponseStatus.TOO_MANY_REQUESTS) || status.equals(HttpResponseStatus.SERVICE_UNAVAILABLE)) {
            channels.fleet().error("poll: HTTP " + status + " (retried)");
            ctx.executor().schedule(() -> poll(ctx), 1, TimeUnit.SECONDS);
            return;
        }
        LocalFleet fleet = channels.fleet();
        if (conditional() && (status.equals(HttpResponseStatus.NOT_MODIFIED)
                || status.equals(HttpResponseStatus.REQUEST_TIMEOUT))) {
            again(ctx, response); // no message within the timeout
            return;
        }
        if (!status.equals(HttpResponseStatus.OK)) {
            fleet.error("poll: HTTP " + status);
            ctx.close();
            return;
        }
        if (conditional()) {
            String modified = response.headers().get("Last-Modified");
            String tag = response.headers().get("ETag");
            if (modified == null || tag == null) {
                fleet.error("poll: an answer without Last-Modified and ETag");
                ctx.close();
                return;
            }
            fleet.deliver(subscriber, response.content().toString(StandardCharsets.UTF_8));
            subscriber.cursor = modified + '\t' + tag;
            again(ctx, response);
            return;
        }
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
        again(ctx, response);
    }

    private void again(ChannelHandlerContext ctx, FullHttpResponse response) {
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
