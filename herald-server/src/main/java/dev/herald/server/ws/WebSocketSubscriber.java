package dev.herald.server.ws;

import dev.herald.core.Cursor;
import dev.herald.core.Message;
import dev.herald.core.Subscriber;
import dev.herald.core.Subscription;
import dev.herald.server.json.MessageJson;
import dev.herald.server.ops.Metrics;
import dev.herald.server.presence.Attendance;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@link Subscriber} of one subscription of a WebSocket connection: writes its frames, named by the
 * client's id, to the channel. All on the channel's event loop.
 */
final class WebSocketSubscriber implements Subscriber {
    private final String id;
    private final Channel channel;
    private final MessageJson json;
    private final Metrics metrics;
    private final Consumer<WebSocketSubscriber> failed;
    private final ByteBuf prefix;
    private Subscription subscription;
    private Supplier<Attendance.Seat> arrival = () -> Attendance.Seat.NONE;
    private Attendance.Seat seat = Attendance.Seat.NONE;
    private Cursor truncatedBeforeStart;
    private boolean started;
    private boolean ended;

    /** @param failed told when history could not be read: the subscription is over */
    WebSocketSubscriber(String id, Channel channel, MessageJson json, Metrics metrics,
            Consumer<WebSocketSubscriber> failed) {
        this.id = id;
        this.channel = channel;
        this.json = json;
        this.metrics = metrics;
        this.failed = failed;
        this.prefix = ServerFrames.messagePrefix(id);
    }

    String id() {
        return id;
    }

    /**
     * Call once, right after subscribing. The user arrives once the subscription has its start, so that the
     * subscription carries its own arrival; it leaves when the subscription ends.
     */
    void bind(Subscription subscription, Supplier<Attendance.Seat> arrival) {
        this.subscription = subscription;
        this.arrival = arrival;
    }

    /** The channel can take more: a paused subscription catches up from the log. */
    void resume() {
        if (!ended) {
            subscription.resume();
        }
    }

    /**
     * Ends the subscription. A callback already queued on the event loop may still arrive; it writes nothing,
     * so nothing follows {@code unsubscribed} or a close frame for this id.
     */
    void end() {
        ended = true;
        subscription.cancel();
        seat.leave();
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void onStart(Cursor position) {
        if (ended) {
            return;
        }
        started = true;
        seat = arrival.get();
        channel.write(ServerFrames.subscribed(id, position), channel.voidPromise());
        if (truncatedBeforeStart != null) {
            channel.write(ServerFrames.truncated(id, truncatedBeforeStart), channel.voidPromise());
            truncatedBeforeStart = null;
        }
        channel.flush();
    }

    @Override
    public void onCaughtUp() {
        // Nothing to say at the switch to live.
    }

    @Override
    public void onMessages(List<Message> messages) {
        if (ended) {
            return;
        }
        for (Message m : messages) {
            // Per subscription, only the prefix differs; the message's JSON is the one shared buffer.
            CompositeByteBuf frame = channel.alloc().compositeBuffer(3);
            frame.addComponents(true, prefix.duplicate(), json.of(m).duplicate(), ServerFrames.MESSAGE_END.duplicate());
            channel.write(new TextWebSocketFrame(frame), channel.voidPromise());
        }
        channel.flush();
        metrics.delivered(WebSocketSession.TRANSPORT, messages.size());
    }

    @Override
    public void onTruncated(Cursor requested) {
        if (ended) {
            return;
        }
        if (!started) {
            // A cursor from another store is told before the start: the client hears of the subscription first.
            truncatedBeforeStart = requested;
            return;
        }
        channel.writeAndFlush(ServerFrames.truncated(id, requested), channel.voidPromise());
    }

    @Override
    public void onFailure(Throwable cause) {
        if (!ended) {
            ended = true;
            seat.leave();
            failed.accept(this);
        }
    }
}
