package dev.herald.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Message;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group commit, staged: the appends of the group and the retention they cause, as one {@link WriteBatch}.
 *
 * <p>The group gives the same result as appending its drafts one at a time, in order: each draft sees the
 * idempotency keys and the retention left by the drafts before it, in its own append or an earlier one of the
 * group. What the disk does not show yet (the batch is not written) the group tracks itself: per topic in a
 * {@link TopicWork}, and the keys it added or removed in {@link #keys}. A message added and removed within the
 * group is never written.
 *
 * <p>Use: {@link #expire()} (when due), {@link #add} per append, {@link #finish()}, then {@link #write()}
 * and, once the write returned, {@link #commit()}. Writer thread only; nothing reaches the disk before
 * {@link #write()}.
 */
final class Group implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Group.class);
    private static final Optional<Message> ABSENT = Optional.empty();
    private static final int MAX_LOAD = 1024;

    private final RocksStore store;
    private final Catalog catalog;
    private final RetentionPolicy retention;
    private final long now;
    private final WriteBatch batch = new WriteBatch();
    private final Map<Topic, TopicWork> work = new HashMap<>();
    // By topic name + 0x00 + key: the holder of each key that the group looked up, added or removed.
    private final Map<String, Optional<Message>> keys = new HashMap<>();
    private final List<Message> added = new ArrayList<>();
    private long head;

    Group(RocksStore store, Catalog catalog, RetentionPolicy retention, long now) {
        this.store = store;
        this.catalog = catalog;
        this.retention = retention;
        this.now = now;
        this.head = catalog.head();
    }

    /** Removes every message older than its topic's maximum age. */
    void expire() throws RocksDBException {
        for (TopicState state : catalog.topics()) {
            long cutoff = cutoff(retention.forTopic(state.topic).maxAge());
            if (state.oldestTime() < cutoff) {
                TopicWork w = work(state.topic);
                for (TopicWork.Stored s = oldestStored(w); s != null && s.time() < cutoff; s = oldestStored(w)) {
                    removeOldest(w);
                }
            }
        }
    }

    private long cutoff(Duration maxAge) {
        try {
            return Math.subtractExact(now, maxAge.toMillis());
        } catch (ArithmeticException e) {
            return Long.MIN_VALUE; // an age longer than the clock can count: nothing is that old
        }
    }

    /** Adds one append's drafts; returns what became of each. */
    List<Appended> add(List<Draft> drafts) throws RocksDBException {
        List<Appended> result = new ArrayList<>(drafts.size());
        for (Draft draft : drafts) {
            TopicWork w = work(draft.topic());
            if (!draft.key().isEmpty()) {
                Message holder = holder(w, draft.key());
                if (holder != null) {
                    result.add(new Appended(holder, true));
                    continue;
                }
            }
            Message m = draft.toMessage(++head, now);
            w.added.addLast(m);
            w.changed = true;
            if (!m.key().isEmpty()) {
                keys.put(keyId(w.topic, m.key()), Optional.of(m));
            }
            int max = retention.forTopic(w.topic).maxCount();
            while (w.count() > max) {
                removeOldest(w);
            }
            added.add(m);
            result.add(new Appended(m, false));
        }
        return result;
    }

    private TopicWork work(Topic topic) {
        TopicWork w = work.get(topic);
        if (w == null) {
            TopicState before = catalog.get(topic);
            w = new TopicWork(topic, before == null ? Layout.utf8(topic.name()) : before.name, before);
            work.put(topic, w);
        }
        return w;
    }

    private Message holder(TopicWork w, String key) throws RocksDBException {
        String id = keyId(w.topic, key);
        Optional<Message> known = keys.get(id);
        if (known != null) {
            return known.orElse(null);
        }
        Message holder = null;
        byte[] offsetKey = store.db.get(store.keys, Layout.keyKey(w.name, Layout.utf8(key)));
        if (offsetKey != null) {
            byte[] value = store.db.get(store.messages, offsetKey);
            if (value != null) {
                holder = Layout.decodeMessage(Layout.offsetOf(offsetKey), value, w.topic);
            } else {
                log.error("idempotency key of topic {} names message {}, which is missing; storing the draft anew",
                        w.topic, Layout.offsetOf(offsetKey));
            }
        }
        keys.put(id, Optional.ofNullable(holder));
        return holder;
    }

    private static String keyId(Topic topic, String key) {
        return topic.name() + '\0' + key;
    }

    private void removeOldest(TopicWork w) throws RocksDBException {
        TopicWork.Stored s = oldestStored(w);
        long offset;
        if (s != null) {
            w.loaded.removeFirst();
            w.stored--;
            offset = s.offset();
            batch.delete(store.messages, Layout.offsetKey(offset));
            batch.delete(store.topics, Layout.topicKey(w.name, offset));
            if (s.key().length > 0) {
                batch.delete(store.keys, Layout.keyKey(w.name, s.key()));
                keys.put(keyId(w.topic, new String(s.key(), UTF_8)), ABSENT);
            }
        } else {
            Message m = w.added.removeFirst();
            offset = m.offset();
            if (!m.key().isEmpty()) {
                keys.put(keyId(w.topic, m.key()), ABSENT);
            }
        }
        w.trimmedThrough = Math.max(w.trimmedThrough, offset);
        w.changed = true;
    }

    /** The oldest message the topic held before the group and still holds, or {@code null}. */
    private TopicWork.Stored oldestStored(TopicWork w) throws RocksDBException {
        if (w.stored == 0) {
            return null;
        }
        if (w.loaded.isEmpty()) {
            load(w);
            if (w.loaded.isEmpty()) {
                log.error("topic {} should hold {} more messages from offset {}, but its index has none;"
                        + " counting it as empty", w.topic, w.stored, w.nextToLoad);
                w.stored = 0;
                return null;
            }
        }
        return w.loaded.peekFirst();
    }

    // Seeks from just past what was read before, never over the tombstones of what retention removed earlier.
    // Reads few entries at first (a full topic loses one message per append), more as a big group needs more.
    private void load(TopicWork w) throws RocksDBException {
        try (RocksIterator it = store.db.newIterator(store.topics)) {
            it.seek(Layout.topicKey(w.name, w.nextToLoad));
            for (int n = 0; n < w.loadSize && it.isValid(); n++, it.next()) {
                byte[] key = it.key();
                if (!Layout.isTopicKeyOf(key, w.name)) {
                    break;
                }
                long offset = Layout.offsetOfTopicKey(key);
                byte[] value = it.value();
                w.loaded.addLast(new TopicWork.Stored(offset, Layout.timeOfTopicValue(value),
                        Layout.keyOfTopicValue(value)));
                w.nextToLoad = offset + 1;
            }
            it.status();
        }
        w.loadSize = Math.min(MAX_LOAD, w.loadSize * 2);
    }

    /** Puts the surviving new messages, the trim marks and the head into the batch. */
    void finish() throws RocksDBException {
        for (TopicWork w : work.values()) {
            if (!w.changed) {
                continue;
            }
            for (Message m : w.added) {
                byte[] offsetKey = Layout.offsetKey(m.offset());
                byte[] key = Layout.utf8(m.key());
                batch.put(store.messages, offsetKey, Layout.encodeMessage(m, w.name));
                batch.put(store.topics, Layout.topicKey(w.name, m.offset()), Layout.topicValue(m.time(), key));
                if (key.length > 0) {
                    // After any delete of the same key above: in a batch, the later operation wins.
                    batch.put(store.keys, Layout.keyKey(w.name, key), offsetKey);
                }
            }
            if (w.trimmedThrough > 0) {
                // Retention removes a topic's messages oldest first, so this exceeds the topic's earlier mark.
                batch.put(store.meta, Layout.trimKey(w.name), Layout.offsetKey(w.trimmedThrough));
            }
            TopicWork.Stored s = oldestStored(w);
            if (s != null) {
                w.oldestAfter = s.offset();
                w.oldestTimeAfter = s.time();
            } else if (!w.added.isEmpty()) {
                w.oldestAfter = w.added.peekFirst().offset();
                w.oldestTimeAfter = w.added.peekFirst().time();
            }
        }
        if (head != catalog.head()) {
            batch.put(store.meta, Layout.META_HEAD, Layout.offsetKey(head));
        }
    }

    /** Whether the batch holds anything to write. */
    boolean hasWrites() {
        return batch.count() > 0;
    }

    /**
     * Marks what the group removes as trimmed. Call before the batch is written: a reader that misses a removed
     * message must find its mark. (Should the write fail, the marks overstate; the log takes no more appends.)
     */
    void markTrims() {
        for (TopicWork w : work.values()) {
            if (w.trimmedThrough > 0) {
                catalog.marks.trimmed(w.topic, w.trimmedThrough);
            }
        }
    }

    /** Writes the batch, synced as the store's {@link SyncPolicy} says. */
    void write() throws RocksDBException {
        store.db.write(store.writeOptions, batch);
    }

    /** Publishes the group's effect to the catalog, head last. Call once the batch is written. */
    void commit() {
        for (TopicWork w : work.values()) {
            if (!w.changed) {
                continue;
            }
            long count = w.count();
            if (count == 0) {
                if (w.before != null) {
                    catalog.remove(w.before);
                }
            } else if (w.before == null) {
                catalog.add(new TopicState(w.topic, w.name, count, w.oldestAfter, w.oldestTimeAfter));
            } else {
                catalog.update(w.before, count, w.oldestAfter, w.oldestTimeAfter);
            }
        }
        catalog.publish(head);
    }

    /** The messages the group gave offsets to, in offset order, including any that retention removed at once. */
    List<Message> added() {
        return Collections.unmodifiableList(added);
    }

    @Override
    public void close() {
        batch.close();
    }
}
