package dev.herald.server.presence;

import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@link Presence} with work of its own to do on a timer: ending poll leases, and in a cluster keeping this
 * node's entries alive and removing those that ran out. The server starts it with its timers and closes it when
 * it stops.
 */
public interface TimedPresence extends Presence, AutoCloseable {

    /** Starts the periodic work on {@code timers}; what it runs there never blocks. */
    void start(ScheduledExecutorService timers);

    /** Topics on which this node holds someone present: for operators. */
    int topics();

    /** Stops the periodic work; the server is stopping. */
    @Override
    void close();
}
