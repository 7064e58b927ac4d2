package dev.herald.server.publish;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Draft;
import dev.herald.core.Topic;
import dev.herald.server.auth.Principal;
import dev.herald.server.http.Problem;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the server does to a message between its permission check and the log, on every publish path (HTTP and
 * WebSocket), for every principal but an app's own signed request, which speaks for its users and is trusted
 * to:
 * <ul>
 *   <li><b>Sender stamp.</b> On a stamped topic ({@code topics.stamped}), the data a user publishes is wrapped
 *       as {@code {"from":"<the token's user>","text":"<data as sent>","time":"<when the server took it>"}}
 *       ({@code "from": null} for a request without credentials). The sender comes from the credentials alone:
 *       whatever the data holds, a {@code from} in it included, is inside {@code text}, so no message can
 *       claim another sender. A message on a stamped topic that is not such an envelope came from the server
 *       or from an app's backend.</li>
 *   <li><b>Presence events.</b> On a topic where presence is tracked ({@code topics.presence}), the events
 *       {@code userlogin} and {@code userlogout} are the server's announcements; a client publishing either
 *       is refused (403), so they cannot be forged.</li>
 * </ul>
 */
public final class PublishPolicy {
    /** Changes nothing. */
    public static final PublishPolicy NONE = new PublishPolicy(topic -> false, topic -> false, Set.of(),
            Clock.systemUTC(), Integer.MAX_VALUE);

    private final Predicate<Topic> stamped;
    private final Predicate<Topic> presence;
    private final Set<String> presenceEvents;
    private final Clock clock;
    private final int maxDataBytes;

    /**
     * @param stamped the topics whose messages carry their sender
     * @param presence the topics the server announces presence on
     * @param presenceEvents the event names it announces with
     * @param maxDataBytes {@code limits.maxDataBytes}, which the stamped envelope must fit too
     */
    public PublishPolicy(Predicate<Topic> stamped, Predicate<Topic> presence, Set<String> presenceEvents,
            Clock clock, int maxDataBytes) {
        this.stamped = requireNonNull(stamped, "stamped");
        this.presence = requireNonNull(presence, "presence");
        this.presenceEvents = Set.copyOf(presenceEvents);
        this.clock = requireNonNull(clock, "clock");
        this.maxDataBytes = maxDataBytes;
    }

    /**
     * Applies the policy to drafts already permitted to {@code principal}, all or none.
     *
     * @throws dev.herald.server.http.ProblemException 403 for a reserved event, 413 for an envelope over the limit
     */
    public List<Draft> apply(Principal principal, List<Draft> drafts) {
        if (isTrusted(principal)) {
            return drafts;
        }
        List<Draft> applied = new ArrayList<>(drafts.size());
        for (Draft draft : drafts) {
            applied.add(apply(principal, draft));
        }
        return applied;
    }

    /** As {@link #apply(Principal, List)} for one draft. */
    public Draft apply(Principal principal, Draft draft) {
        if (isTrusted(principal)) {
            return draft;
        }
        Topic topic = draft.topic();
        if (presenceEvents.contains(draft.event()) && presence.test(topic)) {
            throw Problem.of(HttpResponseStatus.FORBIDDEN, "reserved-event", "Event " + draft.event() + " on '"
                    + topic + "' is the server's presence announcement; publish another event name.").exception();
        }
        if (!stamped.test(topic)) {
            return draft;
        }
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("from", principal.user().orElse(null));
        envelope.put("text", draft.data());
        envelope.put("time", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        String data = envelope.toString();
        int bytes = data.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxDataBytes) {
            throw Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "data-too-large", "With its sender "
                    + "stamp, the data of this message on '" + topic + "' is " + bytes
                    + " bytes of UTF-8, over the limit of " + maxDataBytes + " (limits.maxDataBytes).").exception();
        }
        return new Draft(topic, draft.event(), data, draft.key());
    }

    /** An app's backend signing its own request: it may speak for any of its users. */
    private static boolean isTrusted(Principal principal) {
        return principal.app().isPresent() && principal.user().isEmpty();
    }
}
