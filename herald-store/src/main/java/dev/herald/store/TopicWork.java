package dev.herald.store;

import dev.herald.core.Message;
import dev.herald.core.Topic;
import java.util.ArrayDeque;

/**
 * One topic's part of a {@link Group}: the messages it held before the group that the group has not removed
 * (read from disk lazily, oldest first), and the messages the group added that retention has not removed yet.
 */
final class TopicWork {
    /** An entry of the topic index: enough to remove a message and to judge its age. */
    record Stored(long offset, long time, byte[] key) {
    }

    final Topic topic;
    final byte[] name;
    /** The state before the group, or {@code null} for a topic that held no message. */
    final TopicState before;

    /** How many of the messages held before the group are still there. */
    long stored;
    /** The offset from which to read more of them from the index: just past the last one read. */
    long nextToLoad;
    /** How many entries the next read of the index takes: few at first, more as the group needs more. */
    int loadSize = 4;
    /** Read from the index and not yet removed, oldest first; the rest are further on in the index. */
    final ArrayDeque<Stored> loaded = new ArrayDeque<>();
    /** Added by the group and not removed, oldest first. */
    final ArrayDeque<Message> added = new ArrayDeque<>();
    /** The highest offset the group removed from the topic, 0 if none. */
    long trimmedThrough;
    /** Whether the group added or removed any of the topic's messages. */
    boolean changed;
    /** Set by {@link Group#finish()}: the oldest message kept, when {@link #count()} is not 0. */
    long oldestAfter;
    long oldestTimeAfter;

    TopicWork(Topic topic, byte[] name, TopicState before) {
        this.topic = topic;
        this.name = name;
        this.before = before;
        this.stored = before == null ? 0 : before.count();
        this.nextToLoad = before == null ? 0 : before.oldest();
    }

    long count() {
        return stored + added.size();
    }
}
