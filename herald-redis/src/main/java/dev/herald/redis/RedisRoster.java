package dev.herald.redis;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Topic;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Who is on which topic, shared by the nodes of a cluster. Presence is made of {@link Seat seats}: a holder (one
 * node's connection, or the poll leases of a user) holds a seat for a user on a topic until the seat is taken
 * away or runs out. A user is present while it holds a seat that has not run out; it arrives with its first and
 * leaves with its last, and the one call whose script gave or took that seat is told so, in its
 * {@link Turnover}. So each arrival and departure is told once, to one node, however many share the roster.
 *
 * <p>Seats live in the log's Redis, under its prefix (per topic a sorted set of seats scored by when they run
 * out, by Redis's own clock, and a count of seats per user; see {@code roster.lua}). A seat that ran out is
 * removed by the next call on its topic: {@link #due} names the topics that have one, and {@link #sweep} on each
 * removes them. A node keeps its connections' seats by seating them again before they run out; a node that
 * stops (a crash) lets them run out, and its users leave by themselves. Every key expires a minute after the
 * last seat it holds would have run out, so a cluster that stopped leaves nothing behind.
 *
 * <p>Never blocks: each call is one script, and its future completes on the Lettuce I/O thread of this roster's
 * connection, in the order the calls were made. A future fails (with a {@link io.lettuce.core.RedisException})
 * when Redis does not answer: at once while it is unreachable, after the command timeout when it is stalled.
 * Obtained from {@link RedisLog#roster()}; closed with the log.
 */
public final class RedisRoster {
    private final RedisAsyncCommands<String, String> redis;
    private final Keys keys;

    RedisRoster(StatefulRedisConnection<String, String> connection, Keys keys) {
        this.redis = connection.async();
        this.keys = keys;
    }

    /**
     * One user's seat on a topic.
     *
     * @param holder what holds it, such as a node's connection: not empty, no NUL
     * @param user whom it makes present
     */
    public record Seat(String holder, String user) {
        public Seat {
            requireNonNull(holder, "holder");
            requireNonNull(user, "user");
            if (holder.isEmpty() || holder.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("holder: '" + holder + "' (expected: not empty, no NUL)");
            }
        }

        String member() {
            return holder + '\0' + user;
        }
    }

    /**
     * What one call changed, in the order to tell it.
     *
     * @param left users whose last seat on the topic ran out or was taken away
     * @param arrived users who got their first seat on the topic
     */
    public record Turnover(List<String> left, List<String> arrived) {
        public Turnover {
            left = List.copyOf(left);
            arrived = List.copyOf(arrived);
        }
    }

    /**
     * The users on a topic.
     *
     * @param present the users holding a seat that has not run out, in no order
     * @param left users whose last seat had run out, removed by this call
     */
    public record Roll(List<String> present, List<String> left) {
        public Roll {
            present = List.copyOf(present);
            left = List.copyOf(left);
        }
    }

    /**
     * Seats {@code seats} on {@code topic} until {@code ttl} from now; a seat held already keeps the later of
     * its end and this one (so seating again refreshes a seat, and a shorter lease never shortens a longer one).
     */
    public CompletableFuture<Turnover> seat(Topic topic, Duration ttl, Collection<Seat> seats) {
        requireNonNull(topic, "topic");
        requireNonNull(ttl, "ttl");
        List<String> args = new ArrayList<>(seats.size() + 2);
        args.add(topic.name());
        args.add(Long.toString(Math.max(1, ttl.toMillis())));
        seats.forEach(seat -> args.add(seat.member()));
        return Script.SEAT.run(redis, keysOf(topic), args.toArray(String[]::new))
                .thenApply(reply -> new Turnover(users(reply, 0), users(reply, 1)));
    }

    /** Takes {@code seats} on {@code topic} away (those not held are ignored), and those that ran out. */
    public CompletableFuture<Turnover> unseat(Topic topic, Collection<Seat> seats) {
        requireNonNull(topic, "topic");
        List<String> args = new ArrayList<>(seats.size() + 1);
        args.add(topic.name());
        seats.forEach(seat -> args.add(seat.member()));
        return Script.UNSEAT.run(redis, keysOf(topic), args.toArray(String[]::new))
                .thenApply(reply -> new Turnover(users(reply, 0), List.of()));
    }

    /** Removes the seats on {@code topic} that ran out. */
    public CompletableFuture<Turnover> sweep(Topic topic) {
        return unseat(topic, List.of());
    }

    /** Who is on {@code topic}, once the seats that ran out are removed. */
    public CompletableFuture<Roll> roll(Topic topic) {
        requireNonNull(topic, "topic");
        return Script.ROLL.run(redis, keysOf(topic), topic.name())
                .thenApply(reply -> new Roll(users(reply, 1), users(reply, 0)));
    }

    /** Topics with a seat that ran out, at most {@code limit} of them: the ones to {@link #sweep}. */
    public CompletableFuture<List<Topic>> due(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: at least 1)");
        }
        return Script.DUE.run(redis, new String[] {keys.presenceDue()}, Integer.toString(limit))
                .thenApply(reply -> reply.stream().map(name -> Topic.of((String) name)).toList());
    }

    private String[] keysOf(Topic topic) {
        return new String[] {keys.seats(topic), keys.seated(topic), keys.presenceDue()};
    }

    @SuppressWarnings("unchecked")
    private static List<String> users(List<Object> reply, int index) {
        return (List<String>) (List<?>) reply.get(index);
    }
}
