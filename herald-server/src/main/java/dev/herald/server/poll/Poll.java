package dev.herald.server.poll;

import dev.herald.core.Cursor;
import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.Subscriber;
import dev.herald.core.Subscription;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import dev.herald.server.json.MessageJson;
import dev.herald.server.ops.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll being answered: the {@link Subscriber} of the subscription it owns and, while it is held, a handler
 * in front of the router, where it learns of the client going away and holds back requests pipelined behind it.
 *
 * <p>A poll answers once: with the first batch the subscription delivers (at most {@code limit} messages), or
 * with none when the catch-up ends for a plain poll or after a truncation, or when it is due (its timeout or
 * its token's expiry, whichever is first). Answering cancels the subscription; callbacks that were already
 * under way are ignored, and what they carried is not lost: the answer's cursor stops before it.
 *
 * <p>Everything runs on the channel's event loop, the subscription's executor.
 */
final class Poll extends ChannelInboundHandlerAdapter implements Subscriber {
    static final String TRANSPORT = "longpoll";
    private static final Logger log = LoggerFactory.getLogger(Poll.class);

    private final Channel channel;
    private final Hub hub;
    private final MessageJson json;
    private final Metrics metrics;
    private final int limit;
    private final Duration hold;
    private final boolean keepAlive;
    // Requests pipelined behind this one, answered after it, in order. Reading stops while any wait, so they
    // are at most what one read brought.
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();

    private boolean plain;
    private Subscription subscription;
    private ChannelHandlerContext ctx;
    private Cursor start;
    private Cursor truncated;
    private boolean live;
    private ScheduledFuture<?> timer;
    private boolean ended;

    /**
     * @param plain answer at the end of the catch-up, messages or not
     * @param hold for a long poll, how long to wait for a message after the start
     * @param keepAlive whether the connection stays open after the answer
     */
    Poll(Channel channel, Hub hub, MessageJson json, Metrics metrics, int limit, boolean plain, Duration hold,
            boolean keepAlive) {
        this.channel = channel;
        this.hub = hub;
        this.json = json;
        this.metrics = metrics;
        this.limit = limit;
        this.plain = plain;
        this.hold = hold;
        this.keepAlive = keepAlive;
    }

    /** Call on the event loop, once, right after subscribing and adding this handler. */
    void bind(Subscription subscription) {
        this.subscription = subscription;
        metrics.connections(TRANSPORT).incrementAndGet();
        if (!channel.isActive()) {
            end(); // closed before this handler was added, which will never hear of it
            forwardPipelined();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public boolean isWritable() {
        // A poll writes one answer of at most limit shared buffers, and then nothing: no queue to bound.
        return true;
    }

    @Override
    public void onStart(Cursor position) {
        start = position;
        if (!plain && !ended) {
            timer = channel.eventLoop().schedule(this::due, hold.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void onCaughtUp() {
        if (ended) {
            return;
        }
        live = true;
        // A truncation is news the client needs now, with the cursor to go on from, not after the timeout.
        if (plain || truncated != null) {
            answer(List.of());
        }
    }

    @Override
    public void onMessages(List<Message> messages) {
        if (!ended) {
            answer(messages);
        }
    }

    @Override
    public void onTruncated(Cursor requested) {
        if (!ended && truncated == null) {
            truncated = requested;
        }
    }

    @Override
    public void onFailure(Throwable cause) {
        if (ended) {
            return;
        }
        log.warn("{} poll failed: history could not be read", channel, cause);
        end();
        respond(Responses.problem(Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "history-unavailable",
                "The server could not read history; poll again with the same cursor.")
                .retryAfter(Duration.ofSeconds(1))));
    }

    private void due() {
        timer = null;
        if (!ended) {
            answer(List.of());
        }
    }

    private void answer(List<Message> batch) {
        List<Message> messages = batch.size() > limit ? batch.subList(0, limit) : batch;
        Cursor cursor = messages.isEmpty() ? reached() : hub.cursorOf(messages.get(messages.size() - 1));
        end();
        var body = new PollAnswer(messages, cursor, Optional.ofNullable(truncated)).encode(channel.alloc(), json);
        FullHttpResponse response = Responses.of(HttpResponseStatus.OK, Responses.JSON, body);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        respond(response);
        if (!messages.isEmpty()) {
            metrics.delivered(TRANSPORT, messages.size());
        }
    }

    /**
     * Where this poll got to without a message to answer: its start or, past it, the subscription's position,
     * which passes only messages this principal may not read. Beginning there, the next poll does not read
     * them again.
     */
    private Cursor reached() {
        long offset = subscription == null ? start.offset() : Math.max(start.offset(), subscription.position());
        return new Cursor(start.epoch(), offset);
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (subscription != null) {
            subscription.cancel();
            metrics.connections(TRANSPORT).decrementAndGet();
        }
    }

    private void respond(FullHttpResponse response) {
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = channel.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        forwardPipelined();
    }

    /**
     * Hands the requests pipelined behind this poll to the router, in order, now that their predecessor was
     * answered, and leaves the pipeline. This handler stays in place until they are handed on, so that a poll
     * one of them starts (added right before the router, so after this) gets the ones behind it.
     */
    private void forwardPipelined() {
        if (!pipelined.isEmpty()) {
            channel.config().setAutoRead(true);
            Object next;
            while ((next = pipelined.poll()) != null) {
                if (keepAlive && channel.isActive()) {
                    ctx.fireChannelRead(next);
                } else {
                    ReferenceCountUtil.release(next); // the connection closes after this answer
                }
            }
        }
        if (channel.pipeline().context(this) != null) {
            channel.pipeline().remove(this);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ended) {
            ctx.fireChannelRead(msg);
            return;
        }
        // HTTP pipelining: the next request must wait for this answer, so it comes early, as a plain poll's
        // would, and the client's next poll goes on from its cursor.
        pipelined.add(msg);
        channel.config().setAutoRead(false);
        plain = true;
        if (live) {
            answer(List.of());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ended) {
            log.debug("{} poll abandoned: the client went away", channel);
            end();
        }
        releasePipelined();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePipelined();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{} poll failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private void releasePipelined() {
        Object next;
        while ((next = pipelined.poll()) != null) {
            ReferenceCountUtil.release(next);
        }
    }
}
