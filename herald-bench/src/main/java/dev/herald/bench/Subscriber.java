package dev.herald.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * One subscriber: its topic, its source address, where it got to (the cursor it would resume from) and what it
 * received. It outlives its connections: a reconnect continues the same accounting.
 *
 * <p>Confined to {@link #loop}: every connection of this subscriber is registered there, so its fields need no
 * synchronization; the fleet reads them only after the loops have terminated.
 */
final class Subscriber {
    final int index;
    final int topic;
    final InetSocketAddress local;
    final SequenceTracker tracker = new SequenceTracker();
    final Payload payload = new Payload();
    EventLoop loop;
    Channel channel;
    /** The SSE last event id, the poll cursor or the WebSocket message id; empty until the server gives one. */
    String cursor = "";
    boolean connectedNow;
    boolean connectedOnce;
    int failures;
    long lastDeliveryMicros;

    Subscriber(int index, int topic, InetSocketAddress local) {
        this.index = index;
        this.topic = topic;
        this.local = local;
    }
}
