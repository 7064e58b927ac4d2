package dev.herald.server.presence;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Selector;
import dev.herald.core.Topic;
import dev.herald.server.auth.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the transports tell {@link Presence}: a subscription of an identified user (a token's {@code sub}) to a
 * topic that presence is tracked on ({@code topics.presence}) makes that user present there. Only selectors
 * without wildcards count: a subscriber to {@code chat/+} watches every room and is in none. Anonymous requests
 * and an app's own signed requests name no user, and count nowhere.
 */
public final class Attendance {
    /** Tracks nothing. */
    public static final Attendance NONE = new Attendance(Presence.NONE, topic -> false);

    /** A poller is present for twice its poll's timeout and 5 s more from the poll's start, and 15 s at least. */
    static final Duration MIN_LEASE = Duration.ofSeconds(15);
    static final Duration LEASE_SLACK = Duration.ofSeconds(5);

    /** A stream's or WebSocket subscription's presence, ended by {@link #leave()}. */
    public interface Seat {
        Seat NONE = () -> { };

        /** The subscription ended. Idempotent; call on the thread that joined. */
        void leave();
    }

    private final Presence presence;
    private final Predicate<Topic> tracked;

    /** @param tracked the topics presence is tracked and announced on */
    public Attendance(Presence presence, Predicate<Topic> tracked) {
        this.presence = requireNonNull(presence, "presence");
        this.tracked = requireNonNull(tracked, "tracked");
    }

    public Presence presence() {
        return presence;
    }

    /** Whether presence is tracked on {@code topic}. */
    public boolean tracks(Topic topic) {
        return tracked.test(topic);
    }

    /**
     * A streaming subscription began: its user is present on each tracked topic it names exactly, until the seat
     * is left.
     *
     * @param connection unique on this server while it lasts, e.g. a channel's id
     */
    public Seat join(Principal principal, Collection<Selector> selectors, String connection) {
        Optional<String> user = principal.user();
        List<Topic> topics = user.isEmpty() ? List.of() : topics(selectors);
        if (topics.isEmpty()) {
            return Seat.NONE;
        }
        for (Topic topic : topics) {
            presence.join(topic, user.get(), connection);
        }
        return new Seat() {
            private boolean left;

            @Override
            public void leave() {
                if (!left) {
                    left = true;
                    for (Topic topic : topics) {
                        presence.leave(topic, user.get(), connection);
                    }
                }
            }
        };
    }

    /** A poll with {@code timeout} began: its user is present on the tracked topics it names for a lease. */
    public void poll(Principal principal, Collection<Selector> selectors, Duration timeout) {
        if (principal.user().isEmpty()) {
            return;
        }
        Duration lease = timeout.multipliedBy(2).plus(LEASE_SLACK);
        if (lease.compareTo(MIN_LEASE) < 0) {
            lease = MIN_LEASE;
        }
        for (Topic topic : topics(selectors)) {
            presence.touch(topic, principal.user().get(), lease);
        }
    }

    private List<Topic> topics(Collection<Selector> selectors) {
        List<Topic> topics = new ArrayList<>(1);
        for (Selector selector : selectors) {
            selector.exactTopic().filter(tracked).ifPresent(topics::add);
        }
        return topics;
    }
}
