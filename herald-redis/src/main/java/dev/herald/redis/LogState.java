package dev.herald.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a {@link RedisLog} takes appends, and if not, why: closed; lost (its data is no longer what Redis
 * holds, for good); stalled (a command timed out and Redis has not answered since); or disconnected. Shared by
 * the log's parts; thread-safe.
 */
final class LogState {
    private static final Logger log = LoggerFactory.getLogger(LogState.class);

    private final String server;
    private final StatefulRedisConnection<String, String> connection;
    private final Acks acks;
    private volatile boolean closed;
    private volatile String lost;
    private volatile boolean stalled;

    LogState(String server, StatefulRedisConnection<String, String> connection, Acks acks) {
        this.server = server;
        this.connection = connection;
        this.acks = acks;
    }

    boolean isWritable() {
        return !closed && lost == null && !stalled && connection.isOpen();
    }

    /** Whether background work should talk to Redis: open, not lost, connected (stalled or not). */
    boolean isConnected() {
        return !closed && lost == null && connection.isOpen();
    }

    boolean isClosed() {
        return closed;
    }

    void close() {
        closed = true;
    }

    void answered(boolean answered) {
        stalled = !answered;
    }

    /** The data under the log's keys is gone or went back: no more appends, and the waiting ones fail. */
    void lost(String why) {
        synchronized (this) {
            if (lost != null || closed) {
                return;
            }
            lost = why;
        }
        log.warn("{}: the log takes no more appends until it is opened again", why);
        acks.failAll(new AppendException("stored, then lost: " + why, false, null));
    }

    /** Why an append now would be refused without being sent, or null. */
    AppendException refusal() {
        if (closed) {
            return new AppendException("log closed: " + server, false, null);
        }
        String why = lost;
        if (why != null) {
            return new AppendException("log takes no more appends: " + why + "; open it again to begin a new "
                    + "epoch", false, null);
        }
        if (!connection.isOpen()) {
            return new AppendException("Redis at " + server + " is unreachable (reconnecting); nothing was stored",
                    false, null);
        }
        return null;
    }
}
