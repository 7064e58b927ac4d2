package dev.herald.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * One SSE connection of a subscriber: sends the GET (with the resume header once the subscriber has an event id),
 * counts the subscriber connected on a 200, and feeds the body to an {@link SseParser}. Anything but a 200 is an
 * error that ends the attempt; the end of the stream ends the connection.
 */
final class SseSubscription extends SimpleChannelInboundHandler<HttpObject> {
    private final SubscriberChannels channels;
    private final Subscriber subscriber;
    private final SseParser parser;
    private boolean streaming;

    SseSubscription(SubscriberChannels channels, Subscriber subscriber) {
        this.channels = channels;
        this.subscriber = subscriber;
        LocalFleet fleet = channels.fleet();
        this.parser = new SseParser((message, data, length) -> {
            if (message) {
                fleet.deliver(subscriber, data, length);
            } else {
                fleet.other();
            }
        }, 1024 * 1024);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Template.Values values = channels.values(subscriber, 0);
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                channels.url().render(values));
        request.headers().set("Accept", "text/event-stream");
        request.headers().set("Cache-Control", "no-cache");
        channels.addHeaders(request.headers(), subscriber, values);
        String resume = channels.options().resumeHeader();
        if (!subscriber.cursor.isEmpty() && !resume.isEmpty()) {
            request.headers().set(resume, subscriber.cursor);
        }
        ctx.writeAndFlush(request);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof HttpResponse response) {
            if (!response.status().equals(HttpResponseStatus.OK)) {
                channels.fleet().error("subscribe: HTTP " + response.status());
                ctx.close();
                return;
            }
            streaming = true;
            channels.fleet().connected(subscriber);
        }
        if (msg instanceof HttpContent content && streaming) {
            parser.feed(content.content());
            if (msg instanceof LastHttpContent) {
                ctx.close(); // the server ended the stream
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String id = parser.lastEventId();
        if (!id.isEmpty()) {
            subscriber.cursor = id;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        channels.fleet().error("sse: " + cause);
        ctx.close();
    }
}
