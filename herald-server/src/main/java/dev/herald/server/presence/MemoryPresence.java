package dev.herald.server.presence;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence of one node, in memory. Poll leases run out at the next {@link #sweep()} after they end (swept
 * every second once {@link #start started}), or earlier, when the user's last connection leaves.
 *
 * <p>One lock guards everything, and {@link Changes} are told under it, so that they see arrivals and departures
 * in the order they happened: a user who leaves and comes back is announced leaving before arriving.
 * Each operation is a few map lookups. Memory is bounded by the open connections and the live poll leases.
 */
public final class MemoryPresence implements TimedPresence {
    private static final Logger log = LoggerFactory.getLogger(MemoryPresence.class);

    private record Seat(Topic topic, String user) {
    }

    private static final class Member {
        final Set<String> connections = new HashSet<>(2);
        long leaseUntil; // millis; 0 without a lease

        boolean present(long now) {
            return !connections.isEmpty() || leaseUntil > now;
        }
    }

    private final Changes changes;
    private final LongSupplier millis;
    private final Map<Topic, Map<String, Member>> rooms = new HashMap<>();
    private final Set<Seat> leased = new HashSet<>();
    private ScheduledFuture<?> sweeps;

    /** @param millis the clock of poll leases, in milliseconds */
    public MemoryPresence(Changes changes, LongSupplier millis) {
        this.changes = requireNonNull(changes, "changes");
        this.millis = requireNonNull(millis, "millis");
    }

    public MemoryPresence(Changes changes) {
        this(changes, System::currentTimeMillis);
    }

    @Override
    public synchronized void join(Topic topic, String user, String connection) {
        Member member = member(topic, user);
        boolean arrived = !member.present(millis.getAsLong());
        member.connections.add(connection);
        if (arrived) {
            tell(topic, user, true);
        }
    }

    @Override
    public synchronized void leave(Topic topic, String user, String connection) {
        Map<String, Member> room = rooms.get(topic);
        Member member = room == null ? null : room.get(user);
        if (member == null || !member.connections.remove(connection)) {
            return;
        }
        if (!member.present(millis.getAsLong())) {
            forget(topic, user, room);
        }
    }

    @Override
    public synchronized void touch(Topic topic, String user, Duration lease) {
        long now = millis.getAsLong();
        Member member = member(topic, user);
        boolean arrived = !member.present(now);
        member.leaseUntil = Math.max(member.leaseUntil, now + lease.toMillis());
        leased.add(new Seat(topic, user));
        if (arrived) {
            tell(topic, user, true);
        }
    }

    @Override
    public synchronized CompletionStage<List<String>> list(Topic topic) {
        Map<String, Member> room = rooms.get(topic);
        if (room == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        long now = millis.getAsLong();
        List<String> users = new ArrayList<>(room.size());
        room.forEach((user, member) -> {
            if (member.present(now)) {
                users.add(user);
            }
        });
        users.sort(BY_NAME);
        return CompletableFuture.completedFuture(users);
    }

    /** Sweeps every second. */
    @Override
    public synchronized void start(ScheduledExecutorService timers) {
        sweeps = timers.scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    /** Ends the poll leases that ran out: their users leave unless a connection holds them. */
    public synchronized void sweep() {
        long now = millis.getAsLong();
        for (Iterator<Seat> it = leased.iterator(); it.hasNext(); ) {
            Seat seat = it.next();
            Map<String, Member> room = rooms.get(seat.topic());
            Member member = room == null ? null : room.get(seat.user());
            if (member == null) {
                it.remove();
            } else if (member.leaseUntil <= now) {
                it.remove();
                member.leaseUntil = 0;
                if (member.connections.isEmpty()) {
                    forget(seat.topic(), seat.user(), room);
                }
            }
        }
    }

    @Override
    public synchronized int topics() {
        return rooms.size();
    }

    @Override
    public synchronized void close() {
        if (sweeps != null) {
            sweeps.cancel(false);
        }
    }

    private Member member(Topic topic, String user) {
        return rooms.computeIfAbsent(topic, t -> new HashMap<>()).computeIfAbsent(user, u -> new Member());
    }

    private void forget(Topic topic, String user, Map<String, Member> room) {
        room.remove(user);
        if (room.isEmpty()) {
            rooms.remove(topic);
        }
        leased.remove(new Seat(topic, user));
        tell(topic, user, false);
    }

    private void tell(Topic topic, String user, boolean joined) {
        try {
            if (joined) {
                changes.joined(topic, user);
            } else {
                changes.left(topic, user);
            }
        } catch (RuntimeException e) {
            log.error("presence listener failed on {} {} {}", user, joined ? "joining" : "leaving", topic, e);
        }
    }
}
