package dev.herald.server.sse;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keeps idle streams alive through proxies: one periodic task per event loop writes the shared heartbeat
 * frame to every stream on that loop. A stream costs a set entry, not a timer.
 */
public final class Heartbeats {
    private final long intervalMillis;
    // Each set is touched only by its own event loop.
    private final Map<EventLoop, Set<Channel>> streams = new ConcurrentHashMap<>();

    public Heartbeats(Duration interval) {
        this.intervalMillis = interval.toMillis();
    }

    /** Call on the channel's event loop. */
    public void add(Channel channel) {
        streams.computeIfAbsent(channel.eventLoop(), this::start).add(channel);
    }

    /** Call on the channel's event loop. */
    public void remove(Channel channel) {
        Set<Channel> set = streams.get(channel.eventLoop());
        if (set != null) {
            set.remove(channel);
        }
    }

    private Set<Channel> start(EventLoop loop) {
        Set<Channel> set = new HashSet<>();
        loop.scheduleAtFixedRate(() -> {
            for (Channel channel : set) {
                channel.writeAndFlush(new DefaultHttpContent(SseEncoder.HEARTBEAT.duplicate()), channel.voidPromise());
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        return set;
    }
}
