package dev.herald.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A {@link Log} in memory: for tests and for ephemeral deployments. Nothing survives the process; a new
 * instance has a new epoch. Appends complete at once.
 */
public final class MemoryLog implements Log {
    private static final long EXPIRY_INTERVAL_MS = 1000;

    private final String epoch = Epochs.next();
    private final RetentionPolicy retention;
    private final LongSupplier clock;

    private final Object lock = new Object();
    // Read without the lock, but only up to head: everything at or below head is in the map.
    private final NavigableMap<Long, Message> messages = new ConcurrentSkipListMap<>();
    private final TrimMarks trims = new TrimMarks();
    // Guarded by lock.
    private final Map<Topic, ArrayDeque<Message>> byTopic = new HashMap<>();
    private final Map<String, Message> byKey = new HashMap<>();
    private long lastExpiry;
    private boolean closed;

    private volatile long head;
    private volatile Consumer<List<Message>> listener = m -> { };

    public MemoryLog(RetentionPolicy retention, LongSupplier clock) {
        this.retention = requireNonNull(retention, "retention");
        this.clock = requireNonNull(clock, "clock");
    }

    public MemoryLog() {
        this(RetentionPolicy.of(Retention.DEFAULT), System::currentTimeMillis);
    }

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public long head() {
        return head;
    }

    @Override
    public CompletableFuture<List<Appended>> append(List<Draft> drafts) {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("log closed"));
            }
            long now = clock.getAsLong();
            expire(now);
            List<Appended> result = new ArrayList<>(drafts.size());
            List<Message> stored = new ArrayList<>(drafts.size());
            long offset = head;
            for (Draft draft : drafts) {
                Message known = draft.key().isEmpty() ? null : byKey.get(keyOf(draft.topic(), draft.key()));
                if (known != null) {
                    result.add(new Appended(known, true));
                    continue;
                }
                Message message = draft.toMessage(++offset, now);
                messages.put(offset, message);
                byTopic.computeIfAbsent(message.topic(), t -> new ArrayDeque<>()).addLast(message);
                if (!message.key().isEmpty()) {
                    byKey.put(keyOf(message.topic(), message.key()), message);
                }
                trimByCount(message.topic());
                result.add(new Appended(message, false));
                stored.add(message);
            }
            head = offset;
            if (!stored.isEmpty()) {
                listener.accept(Collections.unmodifiableList(stored));
            }
            return CompletableFuture.completedFuture(result);
        }
    }

    private void trimByCount(Topic topic) {
        ArrayDeque<Message> queue = byTopic.get(topic);
        int max = retention.forTopic(topic).maxCount();
        while (queue.size() > max) {
            remove(queue.pollFirst());
        }
    }

    private void expire(long now) {
        if (now - lastExpiry < EXPIRY_INTERVAL_MS) {
            return;
        }
        lastExpiry = now;
        Iterator<Map.Entry<Topic, ArrayDeque<Message>>> topics = byTopic.entrySet().iterator();
        while (topics.hasNext()) {
            Map.Entry<Topic, ArrayDeque<Message>> e = topics.next();
            long oldest = now - retention.forTopic(e.getKey()).maxAge().toMillis();
            ArrayDeque<Message> queue = e.getValue();
            while (!queue.isEmpty() && queue.peekFirst().time() < oldest) {
                remove(queue.pollFirst());
            }
            if (queue.isEmpty()) {
                topics.remove();
            }
        }
    }

    private void remove(Message message) {
        // Mark before removing, so that a reader that misses the message sees the mark.
        trims.trimmed(message.topic(), message.offset());
        messages.remove(message.offset());
        if (!message.key().isEmpty()) {
            byKey.remove(keyOf(message.topic(), message.key()), message);
        }
    }

    private static String keyOf(Topic topic, String key) {
        return topic.name() + '\0' + key;
    }

    @Override
    public History read(Collection<Selector> selectors, long after, int limit) {
        long until = head;
        if (limit <= 0 || after >= until) {
            return new History(List.of(), trims.highest(selectors));
        }
        // Marks are read after the scan: a message trimmed while it ran was marked before it was removed.
        List<Message> page = new ArrayList<>(Math.min(limit, 64));
        for (Message m : messages.subMap(after, false, until, true).values()) {
            if (Selector.anyMatches(selectors, m.topic())) {
                page.add(m);
                if (page.size() == limit) {
                    break;
                }
            }
        }
        return new History(page, trims.highest(selectors));
    }

    @Override
    public List<Message> last(Collection<Selector> selectors, int count) {
        long until = head;
        if (count <= 0) {
            return List.of();
        }
        ArrayList<Message> newest = new ArrayList<>(Math.min(count, 64));
        for (Message m : messages.headMap(until, true).descendingMap().values()) {
            if (Selector.anyMatches(selectors, m.topic())) {
                newest.add(m);
                if (newest.size() == count) {
                    break;
                }
            }
        }
        Collections.reverse(newest);
        return newest;
    }

    @Override
    public void listen(Consumer<List<Message>> listener) {
        this.listener = requireNonNull(listener, "listener");
    }

    @Override
    public boolean isWritable() {
        synchronized (lock) {
            return !closed;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }
}
