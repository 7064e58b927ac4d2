package dev.herald.core;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For each topic, the highest offset that retention removed from it: what a {@link Log} needs to tell a reader
 * that its history no longer reaches back far enough. Thread-safe; marks only grow.
 */
public final class TrimMarks {
    private final Map<Topic, Long> marks = new ConcurrentHashMap<>();

    /** Records that {@code topic}'s messages up to {@code offset} are gone. */
    public void trimmed(Topic topic, long offset) {
        marks.merge(topic, offset, Math::max);
    }

    /** The highest trim mark among the topics {@code selectors} cover, 0 if none was trimmed. */
    public long highest(Collection<Selector> selectors) {
        long highest = 0;
        boolean wild = false;
        for (Selector selector : selectors) {
            var topic = selector.exactTopic();
            if (topic.isPresent()) {
                highest = Math.max(highest, marks.getOrDefault(topic.get(), 0L));
            } else {
                wild = true;
            }
        }
        if (wild) {
            for (Map.Entry<Topic, Long> e : marks.entrySet()) {
                if (e.getValue() > highest && Selector.anyMatches(selectors, e.getKey())) {
                    highest = e.getValue();
                }
            }
        }
        return highest;
    }

    /** Every mark, for a store to persist. */
    public Map<Topic, Long> snapshot() {
        return Map.copyOf(marks);
    }
}
