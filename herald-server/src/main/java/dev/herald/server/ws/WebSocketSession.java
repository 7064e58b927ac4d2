package dev.herald.server.ws;

import dev.herald.core.Hub;
import dev.herald.core.Topic;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TopicGuard;
import dev.herald.server.http.Problem;
import dev.herald.server.http.ProblemException;
import dev.herald.server.json.MessageJson;
import dev.herald.server.ops.Metrics;
import dev.herald.server.presence.Attendance;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection after the upgrade, the last handler of its channel: runs the client's commands, holds
 * its subscriptions, and closes it in the protocol's terms. All on the channel's event loop, so no locks.
 */
final class WebSocketSession extends ChannelInboundHandlerAdapter {
    static final String TRANSPORT = "websocket";
    /** Publishes of one connection awaiting the log; at the bound the connection reads no more frames. */
    static final int MAX_PUBLISHING = 64;
    /** How long a close waits for the client's close frame before cutting the connection. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);

    private final Channel channel;
    private final Principal principal;
    private final Hub hub;
    private final MessageJson json;
    private final Commands commands;
    private final WebSocketPublisher publisher;
    private final Metrics metrics;
    private final int maxSubscriptions;
    private final Attendance attendance;
    private final Map<String, WebSocketSubscriber> subscriptions = new HashMap<>();
    private int publishing;
    private boolean counted;
    private boolean closing;

    WebSocketSession(Channel channel, Principal principal, Hub hub, MessageJson json, Commands commands,
            WebSocketPublisher publisher, Metrics metrics, int maxSubscriptions, Attendance attendance) {
        this.channel = channel;
        this.principal = principal;
        this.hub = hub;
        this.json = json;
        this.commands = commands;
        this.publisher = publisher;
        this.metrics = metrics;
        this.maxSubscriptions = maxSubscriptions;
        this.attendance = attendance;
    }

    /** Call on the event loop, once, as the handshake is answered. */
    void open() {
        counted = true;
        metrics.connections(TRANSPORT).incrementAndGet();
        principal.expires().ifPresent(this::endAt);
        log.debug("{} WebSocket open", channel);
    }

    /** The server is shutting down: tell the client to come back (1001). Call on the event loop. */
    void goAway() {
        closeWith(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "server shutting down");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof CloseWebSocketFrame close) {
                onClose(close);
            } else if (closing) {
                return; // after a close frame, nothing but the peer's close counts
            } else if (msg instanceof TextWebSocketFrame text) {
                onText(text.text());
            } else if (msg instanceof BinaryWebSocketFrame) {
                closeWith(WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "binary frames are not accepted; send JSON text");
            }
            // Continuation frames were joined by MessageLimit; pings and pongs are Keepalive's.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onClose(CloseWebSocketFrame close) {
        if (closing) {
            channel.close(); // the answer to our close: the handshake is complete
            return;
        }
        closing = true;
        endActivity();
        log.debug("{} WebSocket closed by the client: {}", channel, close.statusCode());
        // Echo the client's status, as RFC 6455 asks, then close.
        channel.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
    }

    private void onText(String text) {
        Commands.Command command;
        try {
            command = commands.parse(text);
        } catch (Commands.NotAnObject e) {
            closeWith(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, e.getMessage());
            return;
        } catch (Refusal r) {
            send(ServerFrames.error(r.about(), r.problem()));
            return;
        }
        try {
            if (command instanceof Commands.Subscribe s) {
                subscribe(s);
            } else if (command instanceof Commands.Unsubscribe u) {
                unsubscribe(u);
            } else if (command instanceof Commands.Publish p) {
                publish(p);
            }
        } catch (Refusal r) {
            send(ServerFrames.error(r.about(), r.problem()));
        } catch (ProblemException e) {
            send(ServerFrames.error(command.about(), e.problem()));
        }
    }

    private void subscribe(Commands.Subscribe s) {
        if (subscriptions.containsKey(s.id())) {
            throw new Refusal(s.about(), Problem.of(HttpResponseStatus.CONFLICT, "subscription-exists",
                    "Subscription id '" + s.id() + "' is in use on this connection; unsubscribe it first or pick"
                            + " another id."));
        }
        if (subscriptions.size() >= maxSubscriptions) {
            throw new Refusal(s.about(), Problem.badRequest("too-many-subscriptions", "This connection holds "
                    + maxSubscriptions + " subscriptions, the limit; unsubscribe one first, or name several topics"
                    + " or a wildcard in one subscription."));
        }
        Predicate<Topic> permitted = TopicGuard.readFilter(principal, s.selectors());
        WebSocketSubscriber subscriber = new WebSocketSubscriber(s.id(), channel, json, metrics, this::failed);
        subscriptions.put(s.id(), subscriber);
        subscriber.bind(hub.subscribe(s.selectors(), permitted, s.start(), subscriber),
                () -> attendance.join(principal, s.selectors(), channel.id().asLongText() + "/" + s.id()));
    }

    private void unsubscribe(Commands.Unsubscribe u) {
        WebSocketSubscriber subscriber = subscriptions.remove(u.id());
        if (subscriber == null) {
            throw new Refusal(u.about(), Problem.of(HttpResponseStatus.NOT_FOUND, "unknown-subscription",
                    "No subscription '" + u.id() + "' on this connection."));
        }
        subscriber.end();
        send(ServerFrames.unsubscribed(u.id()));
    }

    private void publish(Commands.Publish p) {
        var appended = publisher.publish(principal, p.message(), channel.eventLoop());
        publishing++;
        updateReading();
        // The future completes on the event loop (see WebSocketPublisher), so this runs there too.
        appended.whenComplete((a, failure) -> {
            publishing--;
            updateReading();
            if (failure == null) {
                send(ServerFrames.published(p.ref(), hub.cursorOf(a.message()), a.duplicate()));
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof ProblemException e) {
                send(ServerFrames.error(p.about(), e.problem()));
            } else {
                log.error("{} WebSocket publish failed", channel, cause);
                send(ServerFrames.error(p.about(), Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                        "The server failed to answer this publish; the failure is logged.")));
            }
        });
    }

    private void failed(WebSocketSubscriber subscriber) {
        if (subscriptions.get(subscriber.id()) == subscriber) {
            subscriptions.remove(subscriber.id());
        }
        log.warn("{} WebSocket subscription ended: history could not be read", channel);
        send(ServerFrames.error(Refusal.About.sub(subscriber.id()), Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "history-unavailable", "The server could not read history; subscribe again with your last cursor.")
                .retryAfter(Duration.ofSeconds(1))));
    }

    /**
     * Ends the connection when its credential expires, with a frame telling the client to renew its token and
     * come back with its cursors: not a silent cut.
     */
    private void endAt(Instant expires) {
        long delay = Math.max(0, Duration.between(Instant.now(), expires).toMillis());
        var timer = channel.eventLoop().schedule(() -> {
            send(ServerFrames.tokenExpired());
            closeWith(WebSocketCloseStatus.POLICY_VIOLATION, "token expired");
        }, delay, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(f -> timer.cancel(false));
    }

    private void send(TextWebSocketFrame frame) {
        if (closing) {
            frame.release(); // nothing may follow a close frame
            return;
        }
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    /** Starts the closing handshake: our close frame, then the client's, then the TCP close. */
    private void closeWith(WebSocketCloseStatus status, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        endActivity();
        updateReading(); // the client's close frame must be read
        log.debug("{} WebSocket closing: {} {}", channel, status.code(), reason);
        // A close frame's reason is at most 123 bytes of UTF-8; ours are ASCII.
        channel.writeAndFlush(new CloseWebSocketFrame(status, reason.length() > 123 ? reason.substring(0, 123)
                : reason));
        var timer = channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(f -> timer.cancel(false));
    }

    /**
     * Stops reading frames while the channel cannot take answers or too many publishes await the log, so that
     * neither queue grows with what the client sends.
     */
    private void updateReading() {
        channel.config().setAutoRead(closing || channel.isWritable() && publishing < MAX_PUBLISHING);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            // Each paused subscription catches up from the log: nothing was queued for it meanwhile.
            for (WebSocketSubscriber subscriber : new ArrayList<>(subscriptions.values())) {
                subscriber.resume();
            }
        }
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        endActivity();
        if (counted) {
            counted = false;
            metrics.connections(TRANSPORT).decrementAndGet();
            log.debug("{} WebSocket closed", channel);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException broken) {
            // A broken frame (1002), text that is not UTF-8 (1007), a frame or message too big (1009). A closing
            // handshake rather than a cut: the decoder drops what still arrives, so the close is not lost to a
            // reset from unread data, and the client learns why.
            closeWith(broken.closeStatus(), broken.getMessage() == null ? broken.closeStatus().reasonText()
                    : broken.getMessage());
            return;
        }
        log.debug("{} WebSocket failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    /** Ends what keeps a closing connection busy: its subscriptions, and its pings (the close timeout takes over). */
    private void endActivity() {
        Keepalive keepalive = channel.pipeline().get(Keepalive.class);
        if (keepalive != null) {
            channel.pipeline().remove(keepalive);
        }
        for (WebSocketSubscriber subscriber : subscriptions.values()) {
            subscriber.end();
        }
        subscriptions.clear();
    }
}
