package dev.herald.server.config;

import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the server does on some topics beyond storing and delivering: the {@code topics} section.
 *
 * @param latestValue topics on which a subscriber that falls behind gets only the newest message of each topic
 *     instead of the backlog (meter readings); every other topic stays lossless
 * @param stamped topics on which a user's message carries its sender, stamped by the server from the
 *     credentials: {@code {"from":...,"text":...,"time":...}}
 * @param presence topics on which the server tracks who is subscribed and announces arrivals and departures
 *     as {@code userlogin} and {@code userlogout} events
 */
public record TopicRules(List<Selector> latestValue, List<Selector> stamped, List<Selector> presence) {
    /** The demo's: meter readings are latest-value, chat and alarm messages carry their sender, chat rooms presence. */
    public static final TopicRules DEFAULT = new TopicRules(List.of(Selector.of("meters/#")),
            List.of(Selector.of("chat/#"), Selector.of("alarms/#")), List.of(Selector.of("chat/#")));

    public TopicRules {
        latestValue = List.copyOf(latestValue);
        stamped = List.copyOf(stamped);
        presence = List.copyOf(presence);
    }

    /** A topic filter for {@code selectors}; one that matches nothing when there are none. */
    public static Predicate<Topic> matching(List<Selector> selectors) {
        if (selectors.isEmpty()) {
            return topic -> false;
        }
        List<Selector> copy = List.copyOf(selectors);
        return topic -> Selector.anyMatches(copy, topic);
    }
}
