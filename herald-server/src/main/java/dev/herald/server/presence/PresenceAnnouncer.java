package dev.herald.server.presence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.core.Topic;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes arrivals and departures on the topic itself, as the events chat clients expect:
 * {@code event: userlogin} and {@code event: userlogout}, with {@code data: {"username":"alice","time":"..."}}.
 *
 * <p>These are the server's own messages, appended to the hub directly: no permission applies to them, and no
 * client may publish them on a tracked topic ({@link dev.herald.server.publish.PublishPolicy} refuses), so a
 * reader can trust them. They are history like any message: a subscriber joining with {@code history=N} sees
 * who came and went.
 */
public final class PresenceAnnouncer implements Presence.Changes {
    public static final String JOINED = "userlogin";
    public static final String LEFT = "userlogout";
    private static final Logger log = LoggerFactory.getLogger(PresenceAnnouncer.class);

    private final Hub hub;
    private final Clock clock;

    public PresenceAnnouncer(Hub hub, Clock clock) {
        this.hub = requireNonNull(hub, "hub");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void joined(Topic topic, String user) {
        announce(topic, JOINED, user);
    }

    @Override
    public void left(Topic topic, String user) {
        announce(topic, LEFT, user);
    }

    /** The data of a presence event. */
    public static String data(String user, java.time.Instant time) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("username", user);
        data.put("time", time.truncatedTo(ChronoUnit.MILLIS).toString());
        return data.toString();
    }

    private void announce(Topic topic, String event, String user) {
        if (!hub.log().isWritable()) {
            log.debug("{} of {} on {} not announced: the store takes no appends", event, user, topic);
            return;
        }
        hub.publish(List.of(new Draft(topic, event, data(user, clock.instant()), ""))).exceptionally(e -> {
            log.debug("{} of {} on {} not announced: {}", event, user, topic, e.toString());
            return null;
        });
    }
}
