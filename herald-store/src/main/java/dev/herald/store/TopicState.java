package dev.herald.store;

import dev.herald.core.Topic;

/**
 * What the log keeps in memory about one topic that holds messages: how many, and its oldest. Only the writer
 * thread changes it; readers use {@link #oldest()} as a lower bound to seek from.
 */
final class TopicState {
    final Topic topic;
    /** The topic's name in UTF-8, as keys on disk spell it. */
    final byte[] name;

    // Writer thread only.
    private long count;
    private long oldestTime;

    // Only grows: a reader that sees an older value merely seeks from further back.
    private volatile long oldest;

    TopicState(Topic topic, byte[] name, long count, long oldest, long oldestTime) {
        this.topic = topic;
        this.name = name;
        this.count = count;
        this.oldest = oldest;
        this.oldestTime = oldestTime;
    }

    long count() {
        return count;
    }

    /** The offset of the oldest message the topic holds. */
    long oldest() {
        return oldest;
    }

    /** The time of the oldest message the topic holds. */
    long oldestTime() {
        return oldestTime;
    }

    void update(long count, long oldest, long oldestTime) {
        this.count = count;
        this.oldestTime = oldestTime;
        this.oldest = oldest;
    }

    @Override
    public String toString() {
        return topic + "{" + count + " from " + oldest + "}";
    }
}
