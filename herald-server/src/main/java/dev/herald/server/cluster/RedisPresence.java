package dev.herald.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Topic;
import dev.herald.redis.RedisRoster;
import dev.herald.redis.RedisRoster.Seat;
import dev.herald.redis.RedisRoster.Turnover;
import dev.herald.server.presence.TimedPresence;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence that every node of the cluster shares, in Redis ({@link RedisRoster}): each of this node's
 * connections holds a seat for its user on each tracked topic it subscribes to, and a poll holds a lease that
 * any node's next poll of that user extends. A user with connections on two nodes is one user; it arrives with
 * its first seat anywhere and leaves with its last, and the node whose call gave or took that seat tells
 * {@link Changes}, so each arrival and departure is announced once, through the log, which every node follows.
 *
 * <p><b>Expiry.</b> A seat lasts {@link #ttl()} (three refreshes) unless this node seats it again, which it does
 * for all its connections every {@link #REFRESH}. Every node sweeps each {@link #SWEEP}: it removes the seats
 * that ran out, on any topic, and announces the users who left with them; the sweep is one script per topic, so
 * only one node removes a seat and announces it. A node that crashes stops refreshing, and its users leave
 * when its last refresh runs out (two to three refreshes after the crash, and a sweep), told by whichever node
 * sweeps first. A node that cannot reach Redis for as long sees its users announced leaving; its refresh seats
 * them again when Redis is back, and they are announced arriving.
 *
 * <p><b>Moving between nodes.</b> A user whose new connection on one node opens before its old one on another
 * closes is not announced at all, nor is one of a crashed node's users that reconnects elsewhere before the
 * dead node's seats run out. A connection that closes before the next opens (a tab reloaded) is announced
 * leaving and arriving, as on a single node. When this node is closed (the server stops) it takes no seat
 * away: its clients are told to come back, and those that reconnect through another node within the TTL are
 * not announced; the rest leave when their seats run out, as after a crash.
 *
 * <p><b>While Redis does not answer</b>, joins and leaves are not recorded (the first failure is logged as a
 * warning, the rest at debug) and {@link #list} fails. Nothing is lost for long: the refresh seats this node's
 * connections again once Redis answers, and a seat whose leaving was not recorded runs out after the TTL.
 *
 * <p>Never blocks: every call sends one script and returns; {@link Changes} are told on the roster's I/O thread,
 * in the order this node's calls were made (each call is sent under this object's lock, and Redis answers one
 * connection in order).
 */
public final class RedisPresence implements TimedPresence {
    /** How often a node seats its connections again. */
    public static final Duration REFRESH = Duration.ofSeconds(5);
    /** How often a node removes the seats that ran out. */
    public static final Duration SWEEP = Duration.ofSeconds(1);
    /** The most topics one sweep takes on; the next takes on the rest. */
    static final int SWEEP_TOPICS = 1000;
    /** The holder of a user's poll leases: the same on every node, since its next poll may reach any. */
    static final String POLLS = "polls";

    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RedisRoster roster;
    private final Changes changes;
    private final String node;
    private final Duration refresh;
    private final Map<Topic, Set<Seat>> held = new HashMap<>(); // guarded by this: this node's connections
    private final List<ScheduledFuture<?>> timers = new ArrayList<>(2); // guarded by this
    private final AtomicBoolean degraded = new AtomicBoolean();
    private boolean closed; // guarded by this

    /** A node's presence, under a name of its own made at random, refreshed every {@link #REFRESH}. */
    public RedisPresence(RedisRoster roster, Changes changes) {
        this(roster, changes, Long.toUnsignedString(RANDOM.nextLong(), 36), REFRESH);
    }

    /**
     * @param node names this node in its seats: unique among the nodes sharing the roster, no NUL
     * @param refresh how often this node seats its connections again; a seat lasts three times that
     */
    public RedisPresence(RedisRoster roster, Changes changes, String node, Duration refresh) {
        this.roster = requireNonNull(roster, "roster");
        this.changes = requireNonNull(changes, "changes");
        this.node = requireNonNull(node, "node");
        this.refresh = requireNonNull(refresh, "refresh");
        if (refresh.toMillis() < 1) {
            throw new IllegalArgumentException("refresh: " + refresh + " (expected: at least 1 ms)");
        }
    }

    /** How long a seat lasts unless refreshed: three refreshes, so that one or two missed ones lose nobody. */
    public Duration ttl() {
        return refresh.multipliedBy(3);
    }

    @Override
    public void join(Topic topic, String user, String connection) {
        Seat seat = new Seat(node + "/" + connection, user);
        synchronized (this) {
            if (!closed && held.computeIfAbsent(topic, t -> new HashSet<>()).add(seat)) {
                tell(topic, roster.seat(topic, ttl(), List.of(seat)));
            }
        }
    }

    @Override
    public void leave(Topic topic, String user, String connection) {
        Seat seat = new Seat(node + "/" + connection, user);
        synchronized (this) {
            Set<Seat> seats = held.get(topic);
            if (closed || seats == null || !seats.remove(seat)) {
                return;
            }
            if (seats.isEmpty()) {
                held.remove(topic);
            }
            tell(topic, roster.unseat(topic, List.of(seat)));
        }
    }

    @Override
    public synchronized void touch(Topic topic, String user, Duration lease) {
        if (!closed) {
            tell(topic, roster.seat(topic, lease, List.of(new Seat(POLLS, user))));
        }
    }

    /** {@inheritDoc} Here: one script, which also removes the topic's seats that ran out and announces them. */
    @Override
    public synchronized CompletionStage<List<String>> list(Topic topic) {
        return roster.roll(topic).handle((roll, failure) -> {
            if (failure != null) {
                failed("listing", failure);
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            }
            answered();
            announce(topic, new Turnover(roll.left(), List.of()));
            List<String> users = new ArrayList<>(roll.present());
            users.sort(BY_NAME);
            return users;
        });
    }

    /** Seats this node's connections again, so that their seats do not run out; seats those Redis lost. */
    public synchronized void refresh() {
        if (closed) {
            return;
        }
        held.forEach((topic, seats) -> tell(topic, roster.seat(topic, ttl(), List.copyOf(seats))));
    }

    /** Removes the seats that ran out, on every topic, announcing the users who left with them. */
    public void sweep() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        roster.due(SWEEP_TOPICS).whenComplete((topics, failure) -> {
            if (failure != null) {
                failed("sweeping", failure);
                return;
            }
            synchronized (this) {
                for (Topic topic : topics) {
                    tell(topic, roster.sweep(topic));
                }
            }
        });
    }

    /** Refreshes every {@link #REFRESH} (or as constructed) and sweeps every {@link #SWEEP}. */
    @Override
    public synchronized void start(ScheduledExecutorService timers) {
        long every = refresh.toMillis();
        this.timers.add(timers.scheduleAtFixedRate(this::refresh, every, every, TimeUnit.MILLISECONDS));
        this.timers.add(timers.scheduleAtFixedRate(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(),
                TimeUnit.MILLISECONDS));
    }

    @Override
    public synchronized int topics() {
        return held.size();
    }

    /**
     * Stops refreshing and sweeping, and ignores joins and leaves from now on, without taking any seat away:
     * this node's seats run out after the TTL, as a crashed node's do.
     */
    @Override
    public synchronized void close() {
        closed = true;
        held.clear();
        timers.forEach(timer -> timer.cancel(false));
    }

    // Under the lock, so that the callbacks are registered in the order the calls were sent.
    private void tell(Topic topic, CompletableFuture<Turnover> call) {
        call.whenComplete((turnover, failure) -> {
            if (failure != null) {
                failed("recording", failure);
            } else {
                answered();
                announce(topic, turnover);
            }
        });
    }

    private void announce(Topic topic, Turnover turnover) {
        for (String user : turnover.left()) {
            try {
                changes.left(topic, user);
            } catch (RuntimeException e) {
                log.error("presence listener failed on {} leaving {}", user, topic, e);
            }
        }
        for (String user : turnover.arrived()) {
            try {
                changes.joined(topic, user);
            } catch (RuntimeException e) {
                log.error("presence listener failed on {} joining {}", user, topic, e);
            }
        }
    }

    private void failed(String doing, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (degraded.compareAndSet(false, true)) {
            log.warn("presence is not shared while Redis does not answer (failed {}): {}; this node's "
                    + "connections are seated again when it answers", doing, cause.toString());
        } else {
            log.debug("presence failed {}: {}", doing, cause.toString());
        }
    }

    private void answered() {
        if (degraded.compareAndSet(true, false)) {
            log.info("presence is shared by the cluster's nodes again");
        }
    }
}
