package dev.herald.server.presence;

import dev.herald.core.Topic;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Who is on a topic: identified users with at least one connection subscribed to it, or a poll lease that has
 * not run out. A user is counted once however many connections (tabs) it has: it arrives with its first and
 * leaves with its last. Implementations tell their {@link Changes} of each arrival and departure, in the order
 * they happen, exactly once across every node that shares them. Thread-safe; no method blocks.
 */
public interface Presence {
    /** Names sorted as a person reads them: case aside first, then exactly, so the order is total. */
    Comparator<String> BY_NAME = String.CASE_INSENSITIVE_ORDER.thenComparing(Comparator.naturalOrder());

    /** Tracks nobody: for servers and tests without presence. */
    Presence NONE = new Presence() {
        @Override
        public void join(Topic topic, String user, String connection) {
        }

        @Override
        public void leave(Topic topic, String user, String connection) {
        }

        @Override
        public void touch(Topic topic, String user, Duration lease) {
        }

        @Override
        public CompletionStage<List<String>> list(Topic topic) {
            return CompletableFuture.completedFuture(List.of());
        }
    };

    /** {@code connection} (unique on this server, e.g. a channel id) of {@code user} subscribed to {@code topic}. */
    void join(Topic topic, String user, String connection);

    /** The connection is gone; the user leaves with its last connection, unless a poll lease holds it. */
    void leave(Topic topic, String user, String connection);

    /**
     * A poll of {@code user} on {@code topic}: polls hold no connection, so the user is present for {@code lease}
     * from now (or longer, if an earlier lease lasts longer), and leaves when it runs out with no connection left.
     */
    void touch(Topic topic, String user, Duration lease);

    /**
     * The users present on {@code topic}, sorted by {@link #BY_NAME}. The stage fails when they cannot be told
     * now (in a cluster, while the nodes' shared store does not answer).
     */
    CompletionStage<List<String>> list(Topic topic);

    /** Told of arrivals and departures; called in the order they happen, and must not block. */
    interface Changes {
        /** {@code user} arrived on {@code topic}: its first connection or poll. */
        void joined(Topic topic, String user);

        /** {@code user} left {@code topic}: its last connection closed, or its poll lease ran out. */
        void left(Topic topic, String user);
    }
}
