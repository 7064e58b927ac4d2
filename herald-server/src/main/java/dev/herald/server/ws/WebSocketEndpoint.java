package dev.herald.server.ws;

import dev.herald.core.Hub;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Principal;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import dev.herald.server.json.MessageJson;
import dev.herald.server.limits.HeaderDeadline;
import dev.herald.server.limits.RequestRateLimiter;
import dev.herald.server.ops.Metrics;
import dev.herald.server.presence.Attendance;
import dev.herald.server.publish.PublishParser;
import dev.herald.server.publish.PublishPolicy;
import dev.herald.server.publish.PublishRate;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/ws}: authenticates the upgrade request as every request is, refusing it before the upgrade
 * with the problem any transport would answer, then hands the connection to the WebSocket handlers. The
 * protocol is described in {@link dev.herald.server.ws the package}.
 */
public final class WebSocketEndpoint implements Endpoint {
    /** Subscriptions one connection may hold at once. */
    public static final int MAX_SUBSCRIPTIONS = 64;
    /** Room in a frame for the envelope around a message's data: type, ref, topic, event, key and escapes. */
    public static final int ENVELOPE_BYTES = 16 * 1024;
    private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

    private final Hub hub;
    private final Authenticator authenticator;
    private final MessageJson json;
    private final Metrics metrics;
    private final Commands commands;
    private final WebSocketPublisher publisher;
    private final Pings pings;
    private final WebSocketServerHandshakerFactory handshakers;
    private final int maxMessageBytes;
    private final Attendance attendance;
    private final ChannelGroup sockets = new DefaultChannelGroup("websockets", GlobalEventExecutor.INSTANCE);

    /**
     * @param config the limits (topics per subscription, history, data size, batch) and the keepalive interval
     *     ({@code sse.heartbeat})
     * @param json the server's one message JSON, shared with the other transports that send it
     * @param publishRate the publish rates by app, shared with {@code POST /api/v1/publish}
     */
    public WebSocketEndpoint(HeraldConfig config, Hub hub, Authenticator authenticator, MessageJson json,
            PublishRate publishRate, Metrics metrics) {
        this(config, hub, authenticator, json, publishRate, metrics, Attendance.NONE, PublishPolicy.NONE);
    }

    /**
     * As the other constructor, with the server's topic rules: each subscription makes its user present on the
     * topics it names (see {@link Attendance}), and each publish passes the {@link PublishPolicy}.
     */
    public WebSocketEndpoint(HeraldConfig config, Hub hub, Authenticator authenticator, MessageJson json,
            PublishRate publishRate, Metrics metrics, Attendance attendance, PublishPolicy policy) {
        this.hub = hub;
        this.authenticator = authenticator;
        this.json = json;
        this.metrics = metrics;
        this.commands = new Commands(config.maxTopicsPerSubscription(), config.maxHistory());
        this.publisher = new WebSocketPublisher(hub, new PublishParser(config.maxDataBytes(), config.maxBatch()),
                publishRate, policy, metrics);
        this.attendance = java.util.Objects.requireNonNull(attendance, "attendance");
        this.pings = new Pings(config.heartbeat());
        this.maxMessageBytes = config.maxDataBytes() + ENVELOPE_BYTES;
        this.handshakers = new WebSocketServerHandshakerFactory("/api/v1/ws", null, WebSocketDecoderConfig
                .newBuilder()
                .maxFramePayloadLength(maxMessageBytes)
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                // The session answers violations with a closing handshake, not a cut (see exceptionCaught).
                .closeOnProtocolViolation(false)
                .build());
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        Principal principal = authenticator.authenticate(request, uri);
        if (!isUpgrade(request)) {
            var response = Responses.problem(Problem.of(HttpResponseStatus.UPGRADE_REQUIRED, "upgrade-required",
                    "/api/v1/ws speaks WebSocket only: send GET with Connection: Upgrade and Upgrade: websocket"
                            + " (new WebSocket(url) does)."));
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            Responses.send(ctx, request, response);
            return;
        }
        String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isBlank()) {
            throw Problem.badRequest("malformed-upgrade", "The WebSocket upgrade has no Sec-WebSocket-Key.")
                    .exception();
        }
        WebSocketServerHandshaker handshaker = handshakers.newHandshaker(request);
        if (handshaker == null) {
            var response = Responses.problem(Problem.of(HttpResponseStatus.UPGRADE_REQUIRED,
                    "unsupported-websocket-version", "WebSocket version "
                            + request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION)
                            + " is not supported (expected: 13)."));
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            Responses.send(ctx, request, response);
            return;
        }

        // The HTTP handlers leave; the deadline first, before the handshake's response passes it and re-arms it.
        ChannelPipeline pipeline = ctx.pipeline();
        removeIfPresent(pipeline, HeaderDeadline.class);
        removeIfPresent(pipeline, CorsHandler.class);
        removeIfPresent(pipeline, RequestRateLimiter.class);
        Channel channel = ctx.channel();
        WebSocketSession session = new WebSocketSession(channel, principal, hub, json, commands, publisher, metrics,
                MAX_SUBSCRIPTIONS, attendance);
        pipeline.replace(ctx.handler(), "ws", session);
        pipeline.addBefore("ws", "ws-keepalive", new Keepalive(pings));
        pipeline.addBefore("ws", "ws-utf8", new Utf8FrameValidator(false));
        pipeline.addBefore("ws", "ws-messages", new MessageLimit(maxMessageBytes));
        // Puts the frame codec in place of the HTTP codec (and takes out the body aggregator) as it answers 101.
        handshaker.handshake(channel, request).addListener(f -> {
            if (!f.isSuccess()) {
                log.debug("{} WebSocket handshake failed: {}", channel, f.cause().toString());
                channel.close();
            }
        });
        sockets.add(channel);
        session.open();
    }

    /**
     * Tells every WebSocket that the server is going away (1001), so that clients reconnect elsewhere or later
     * with their cursors. Safe from any thread.
     *
     * @return completes when every WebSocket is closed
     */
    public ChannelGroupFuture goAway() {
        for (Channel channel : sockets) {
            channel.eventLoop().execute(() -> {
                WebSocketSession session = channel.pipeline().get(WebSocketSession.class);
                if (session != null) {
                    session.goAway();
                }
            });
        }
        return sockets.newCloseFuture();
    }

    private static boolean isUpgrade(FullHttpRequest request) {
        return request.method().equals(HttpMethod.GET)
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && request.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private static void removeIfPresent(ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
        if (pipeline.get(type) != null) {
            pipeline.remove(type);
        }
    }
}
