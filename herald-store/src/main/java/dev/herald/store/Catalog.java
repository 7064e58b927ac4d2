package dev.herald.store;

import dev.herald.core.Topic;
import dev.herald.core.TrimMarks;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the log knows about its contents in memory: the head, the topics that hold messages, the trim marks, and
 * the floor below which nothing is kept. Rebuilt from disk on open ({@link RocksStore#loadCatalog}).
 *
 * <p>Only the writer thread changes it, and only after the write it describes returned; readers use it without
 * locks. The writer publishes topic states before the head, so a reader that sees head {@code h} finds every
 * topic with a message at or below {@code h}.
 */
final class Catalog {
    final TrimMarks marks = new TrimMarks();

    private final Map<Topic, TopicState> topics = new ConcurrentHashMap<>();
    // Writer thread only: each topic's oldest offset, for the floor. Offsets are unique across topics.
    private final TreeMap<Long, TopicState> oldest = new TreeMap<>();

    private volatile long head;
    private volatile long floor = 1;

    /** The newest offset given out, 0 if none ever was. */
    long head() {
        return head;
    }

    /**
     * No message below this offset is kept: where scans of the whole log start, rather than from offset 1 over
     * the tombstones that retention left behind. Only grows.
     */
    long floor() {
        return floor;
    }

    /** The state of {@code topic}, or {@code null} when it holds no message. */
    TopicState get(Topic topic) {
        return topics.get(topic);
    }

    /** Every topic that holds messages; weakly consistent while the writer changes it. */
    Collection<TopicState> topics() {
        return topics.values();
    }

    int topicCount() {
        return topics.size();
    }

    // ---- writer thread only

    void add(TopicState state) {
        topics.put(state.topic, state);
        oldest.put(state.oldest(), state);
    }

    void update(TopicState state, long count, long oldestOffset, long oldestTime) {
        oldest.remove(state.oldest());
        state.update(count, oldestOffset, oldestTime);
        oldest.put(oldestOffset, state);
    }

    void remove(TopicState state) {
        topics.remove(state.topic, state);
        oldest.remove(state.oldest());
    }

    /** Publishes {@code head} and the floor; call after the topic states are up to date. */
    void publish(long head) {
        floor = oldest.isEmpty() ? head + 1 : oldest.firstKey();
        this.head = head;
    }
}
