package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.io.IOException;
import java.net.URI;

/**
 * One WebSocket connection of a subscriber: after the upgrade it sends the subscribe frame (the resume frame once it
 * has a cursor), counts the subscriber connected at the frame whose {@code type} is the ready type (Herald's
 * {@code subscribed}), and reads each message's data and cursor at the configured JSON pointers. Frames without
 * data there are counted as other events.
 */
final class WsSubscription extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SubscriberChannels channels;
    private final Subscriber subscriber;

    private WsSubscription(SubscriberChannels channels, Subscriber subscriber) {
        this.channels = channels;
        this.subscriber = subscriber;
    }

    static void install(ChannelPipeline p, SubscriberChannels channels, Subscriber s) {
        Template.Values values = channels.values(s, 0);
        UrlTemplate url = channels.url();
        URI uri = URI.create("ws://" + url.hostHeader() + url.render(values));
        HttpHeaders headers = new DefaultHttpHeaders();
        channels.addHeaders(headers, s, values);
        headers.remove("Host"); // the handshaker writes its own, from the URI
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(headers)
                .maxFramePayloadLength(SubscriberChannels.MAX_MESSAGE)
                .handshakeTimeoutMillis(10_000)
                .dropPongFrames(true)
                .build();
        p.addLast(new HttpClientCodec());
        p.addLast(new HttpObjectAggregator(64 * 1024));
        p.addLast(new WebSocketClientProtocolHandler(config));
        p.addLast(new WebSocketFrameAggregator(SubscriberChannels.MAX_MESSAGE));
        p.addLast(new WsSubscription(channels, s));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            BenchOptions o = channels.options();
            String frame = subscriber.cursor.isEmpty() ? o.wsSubscribe() : o.wsResume();
            ctx.writeAndFlush(new TextWebSocketFrame(Template.of(frame).render(channels.values(subscriber, 0))));
            if (o.wsReadyType().isEmpty()) {
                channels.fleet().connected(subscriber);
            }
        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            channels.fleet().error("ws: handshake timed out");
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame)) {
            channels.fleet().other();
            return;
        }
        LocalFleet fleet = channels.fleet();
        JsonNode node;
        try {
            node = JSON.readTree(new ByteBufInputStream(frame.content()));
        } catch (IOException e) {
            fleet.unparsedFrame();
            return;
        }
        BenchOptions o = channels.options();
        if (!o.wsReadyType().isEmpty() && o.wsReadyType().equals(node.path("type").asText())) {
            if (subscriber.cursor.isEmpty() && node.path("cursor").isTextual()) {
                subscriber.cursor = node.path("cursor").asText(); // where the subscription began
            }
            fleet.connected(subscriber);
            return;
        }
        JsonNode data = node.at(o.wsDataPointer());
        if (data.isMissingNode()) {
            fleet.other();
            return;
        }
        JsonNode id = node.at(o.wsIdPointer());
        if (id.isTextual()) {
            subscriber.cursor = id.asText();
        }
        fleet.deliver(subscriber, data.isTextual() ? data.asText() : data.toString());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        channels.fleet().error("ws: " + cause);
        ctx.close();
    }
}
