package dev.herald.server.http;

import dev.herald.core.Selector;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The {@code topic} parameters of a subscribing request (a stream, a poll), checked as every one checks them. */
public final class TopicParameters {
    private TopicParameters() {
    }

    /**
     * The selectors {@code topics} name, in their order without repeats, so that a refusal names the first one at
     * fault.
     *
     * @param what the request, for the messages: "stream", "poll"
     * @param path its path, for the example in the message
     * @throws ProblemException 400 {@code missing-topic}, {@code too-many-topics} or {@code invalid-topic}
     */
    public static Set<Selector> selectors(List<String> topics, int maxTopics, String what, String path) {
        if (topics.isEmpty()) {
            throw Problem.badRequest("missing-topic", "Name at least one topic to " + what + ": " + path
                    + "?topic=chat/room-1 (wildcards + and # allowed).").exception();
        }
        if (topics.size() > maxTopics) {
            throw Problem.badRequest("too-many-topics", "The " + what + " names " + topics.size()
                    + " topics, over the limit of " + maxTopics
                    + " (limits.maxTopicsPerSubscription); use a wildcard selector instead.").exception();
        }
        Set<Selector> selectors = new LinkedHashSet<>();
        for (String topic : topics) {
            try {
                selectors.add(Selector.of(topic));
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("invalid-topic", e.getMessage()).exception();
            }
        }
        return selectors;
    }
}
