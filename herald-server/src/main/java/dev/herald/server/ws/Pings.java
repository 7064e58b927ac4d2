package dev.herald.server.ws;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Pings every WebSocket each interval: one periodic task per event loop over the connections on that loop, so
 * a connection costs a set entry, not a timer. Each tick is {@link Keepalive#tick()}.
 */
final class Pings {
    private final long intervalMillis;
    // Each set is touched only by its own event loop.
    private final Map<EventLoop, Set<Keepalive>> connections = new ConcurrentHashMap<>();

    Pings(Duration interval) {
        this.intervalMillis = interval.toMillis();
    }

    /** Call on the connection's event loop. */
    void add(EventLoop loop, Keepalive connection) {
        connections.computeIfAbsent(loop, this::start).add(connection);
    }

    /** Call on the connection's event loop. */
    void remove(EventLoop loop, Keepalive connection) {
        Set<Keepalive> set = connections.get(loop);
        if (set != null) {
            set.remove(connection);
        }
    }

    private Set<Keepalive> start(EventLoop loop) {
        Set<Keepalive> set = new HashSet<>();
        loop.scheduleAtFixedRate(() -> {
            // A tick may close its connection, which leaves the set: iterate over a copy.
            for (Keepalive connection : new ArrayList<>(set)) {
                connection.tick();
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        return set;
    }
}
