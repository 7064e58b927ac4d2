package dev.herald.server.poll;

import dev.herald.core.Cursor;
import dev.herald.core.Selector;
import dev.herald.core.Start;
import dev.herald.server.http.Problem;
import dev.herald.server.http.TopicParameters;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.List;

/**
 * What a poll asks for, read from its query and validated: each value out of bounds is a 400 naming it.
 *
 * @param selectors in the query's order, without repeats
 * @param timeout how long to wait for a message once history is exhausted; zero for a plain poll
 * @param limit the most messages one answer carries
 */
record PollRequest(List<Selector> selectors, Start start, Duration timeout, int limit) {
    static final int DEFAULT_TIMEOUT_SECONDS = 25;
    /** Below the 60 s read timeout of nginx and most proxies, so that the answer gets through. */
    static final int MAX_TIMEOUT_SECONDS = 55;
    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 1000;

    PollRequest {
        selectors = List.copyOf(selectors);
    }

    /**
     * @param maxTopics {@code limits.maxTopicsPerSubscription}
     * @param maxHistory {@code limits.maxHistory}
     * @throws dev.herald.server.http.ProblemException 400 for a missing, malformed or out-of-bounds value
     */
    static PollRequest parse(QueryStringDecoder uri, int maxTopics, int maxHistory) {
        return new PollRequest(selectors(uri, maxTopics), start(uri, maxHistory),
                Duration.ofSeconds(number(uri, "timeout", DEFAULT_TIMEOUT_SECONDS, 0, MAX_TIMEOUT_SECONDS,
                        "invalid-timeout", "seconds to wait for a message; 0 answers at once")),
                number(uri, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, "invalid-limit", "the most messages in one answer"));
    }

    private static List<Selector> selectors(QueryStringDecoder uri, int maxTopics) {
        return List.copyOf(TopicParameters.selectors(uri.parameters().getOrDefault("topic", List.of()), maxTopics,
                "poll", "/api/v1/poll"));
    }

    private static Start start(QueryStringDecoder uri, int maxHistory) {
        String cursor = first(uri, "cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                return Start.after(Cursor.parse(cursor.trim()));
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("malformed-cursor", e.getMessage()).exception();
            }
        }
        if (first(uri, "history") == null) {
            return Start.now();
        }
        int n = number(uri, "history", 0, 0, maxHistory, "invalid-history",
                "the number of past messages to replay; limits.maxHistory");
        return n == 0 ? Start.now() : Start.last(n);
    }

    private static int number(QueryStringDecoder uri, String name, int absent, int min, int max, String type,
            String meaning) {
        String value = first(uri, name);
        if (value == null) {
            return absent;
        }
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = min - 1;
        }
        if (n < min || n > max) {
            throw Problem.badRequest(type, name + ": '" + printable(value) + "' (expected: " + min + " to " + max
                    + ", " + meaning + ")").exception();
        }
        return n;
    }

    private static String printable(String value) {
        String shown = value.length() > 32 ? value.substring(0, 32) + "..." : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private static String first(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
