package dev.herald.server.auth;

import dev.herald.core.Hub;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import dev.herald.server.http.Problem;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Collection;
import java.util.function.Predicate;

/**
 * Checks a principal's permissions for a topic or a subscription: 401 when credentials would help (the request
 * had none), 403 when the authenticated principal lacks the permission.
 */
public final class TopicGuard {
    private TopicGuard() {
    }

    public static void checkPublish(Principal principal, Topic topic) {
        if (!principal.permissions().mayPublish(topic)) {
            throw refusal(principal, "publish to", topic.name());
        }
    }

    /**
     * Checks that each selector names some topic the principal may read, and returns the filter its
     * subscription needs: none when every selector lies within the permissions, else the permissions themselves,
     * so that a wildcard never delivers a topic the principal may not read.
     */
    public static Predicate<Topic> readFilter(Principal principal, Collection<Selector> selectors) {
        boolean allCovered = true;
        for (Selector selector : selectors) {
            if (!principal.permissions().mayReadSomeOf(selector)) {
                throw refusal(principal, "subscribe to", selector.pattern());
            }
            allCovered &= principal.permissions().mayReadAllOf(selector);
        }
        return allCovered ? Hub.EVERY_TOPIC : principal.permissions()::mayRead;
    }

    private static RuntimeException refusal(Principal principal, String action, String what) {
        if (principal.app().isEmpty()) {
            return Problem.of(HttpResponseStatus.UNAUTHORIZED, "credentials-required", "To " + action + " '"
                    + what + "' send credentials: an APP signature (SDK-HMAC-SHA256) or a token "
                    + "(Authorization: Bearer, access_token or the herald_token cookie).").exception();
        }
        return Problem.of(HttpResponseStatus.FORBIDDEN, "forbidden", "These credentials may not " + action + " '"
                + what + "'.").exception();
    }
}
