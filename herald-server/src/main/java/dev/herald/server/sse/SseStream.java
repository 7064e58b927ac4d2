package dev.herald.server.sse;

import dev.herald.server.json.Signals;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Cursor;
import dev.herald.core.Message;
import dev.herald.core.Subscriber;
import dev.herald.core.Subscription;
import dev.herald.server.http.SharedChunk;
import dev.herald.server.ops.Metrics;
import dev.herald.server.presence.Attendance;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open event stream: the {@link Subscriber} of its subscription, and the last handler of its channel,
 * where it learns of writability (to resume a paused subscription) and of the client going away.
 */
final class SseStream extends ChannelInboundHandlerAdapter implements Subscriber {
    static final String TRANSPORT = "sse";
    private static final Logger log = LoggerFactory.getLogger(SseStream.class);

    private final Channel channel;
    private final ChannelHandlerContext wire; // below the HTTP codec: where pre-chunked frames are written
    private final SseEncoder encoder;
    private final Heartbeats heartbeats;
    private final Metrics metrics;
    private Subscription subscription;
    private Supplier<Attendance.Seat> arrival = () -> Attendance.Seat.NONE;
    private Attendance.Seat seat = Attendance.Seat.NONE;

    SseStream(Channel channel, SseEncoder encoder, Heartbeats heartbeats, Metrics metrics) {
        this.channel = channel;
        this.wire = channel.pipeline().context(HttpServerCodec.class);
        this.encoder = encoder;
        this.heartbeats = heartbeats;
        this.metrics = metrics;
    }

    /**
     * Call on the event loop, once, right after subscribing. The user arrives once the subscription has its
     * start, so that its own stream carries its arrival; it leaves when the stream closes.
     */
    void bind(Subscription subscription, Supplier<Attendance.Seat> arrival) {
        this.subscription = subscription;
        this.arrival = arrival;
        heartbeats.add(channel);
        metrics.connections(TRANSPORT).incrementAndGet();
        if (!channel.isActive()) {
            close();
        }
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
        channel.writeAndFlush(new DefaultHttpContent(SseEncoder.position(position)), channel.voidPromise());
        if (!closed) {
            seat = arrival.get();
        }
    }

    @Override
    public void onCaughtUp() {
        // A stream has nothing to say at the switch to live.
    }

    @Override
    public void onMessages(List<Message> messages) {
        // Each frame is a whole chunk, and the codec is between a chunk and the next (the response head is
        // written and no chunk is cut): past it, straight to the socket, with none of the handlers above.
        if (messages.size() == 1) {
            wire.write(encoder.frame(messages.get(0)).alone().duplicate(), wire.voidPromise());
        } else {
            List<SharedChunk> frames = new ArrayList<>(messages.size());
            for (Message m : messages) {
                frames.add(encoder.frame(m));
            }
            wire.write(SharedChunk.join(wire.alloc(), frames), wire.voidPromise());
        }
        wire.flush();
        metrics.delivered(TRANSPORT, messages.size());
    }

    @Override
    public void onTruncated(Cursor requested) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("cursor", requested.token());
        body.put("detail", Signals.TRUNCATED_DETAIL);
        write(SseEncoder.control("herald.truncated", body.toString()));
    }

    @Override
    public void onFailure(Throwable cause) {
        log.warn("{} stream ended: history could not be read", channel, cause);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("detail", "The server could not read history; reconnect to resume from your last event id.");
        write(SseEncoder.control("herald.error", body.toString()));
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Ends the stream when its credential expires, with an event telling the client to renew its token and
     * reconnect from its last event id: not a silent cut.
     */
    void endAt(Instant expires) {
        long delay = Math.max(0, Duration.between(Instant.now(), expires).toMillis());
        var timer = channel.eventLoop().schedule(() -> {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("detail", "The token of this stream expired; renew it and reconnect with your last event id.");
            write(SseEncoder.control("herald.token-expired", body.toString()));
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }, delay, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(f -> timer.cancel(false));
    }

    private void write(ByteBuf frame) {
        channel.writeAndFlush(new DefaultHttpContent(frame), channel.voidPromise());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && subscription != null) {
            subscription.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // A client that sends another request on a streaming connection gets no answer but the stream.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{} stream failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private boolean closed;

    private void close() {
        if (closed || subscription == null) {
            return;
        }
        closed = true;
        subscription.cancel();
        seat.leave();
        heartbeats.remove(channel);
        metrics.connections(TRANSPORT).decrementAndGet();
        log.debug("{} stream closed", channel);
    }
}
