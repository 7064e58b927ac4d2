package dev.herald.bench;

import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * What the publisher sent, per topic: the last sequence number used, and the numbers whose publish failed (refused,
 * or the connection closed before the answer), which no subscriber is owed. Sent to the workers as JSON.
 *
 * @param lastSeq the last sequence number of each topic, by topic index; 0 if none was sent
 * @param failed the failed numbers of the topics that have any, by topic index
 */
public record Published(long[] lastSeq, Map<Integer, List<Long>> failed) {
    private static final NavigableSet<Long> NONE = new TreeSet<>();

    /** The failed numbers of {@code topic}. */
    public NavigableSet<Long> failedOf(int topic) {
        List<Long> f = failed.get(topic);
        return f == null ? NONE : new TreeSet<>(f);
    }

    /** The last number sent to {@code topic}. */
    public long lastOf(int topic) {
        return topic < lastSeq.length ? lastSeq[topic] : 0;
    }
}
