package dev.herald.store;

import dev.herald.core.History;
import dev.herald.core.Message;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * Reads of the log: {@link #read} and {@link #last}, on the caller's thread, from one RocksDB snapshot each.
 *
 * <p>Two ways to find messages. When the selectors name few topics (exact topics, or wildcards that match few
 * of the topics held), the per-topic index of each is read and merged in offset order: a subscriber to a quiet
 * topic reads only that topic's entries. Otherwise the messages are scanned in offset order and filtered by
 * topic, reading only the first bytes of a value that does not match.
 *
 * <p>Why a read is consistent: it takes the head first and returns nothing above it, and everything at or
 * below the head was written before the head was published. The topics to read are taken from the catalog
 * before the snapshot, and so are the offsets to seek from: whatever they skip was removed before the snapshot.
 * The trim marks are read after the snapshot: a message removed by retention was marked before it went, so a
 * reader that misses it learns why.
 */
final class LogReader {
    /** The most topics whose index a read merges; more are scanned for. */
    static final int MAX_MERGED_TOPICS = 64;
    /** The most topics held for which a wildcard read looks for the few it matches. */
    static final int MAX_ENUMERATED_TOPICS = 4096;

    private final RocksStore store;
    private final Catalog catalog;

    LogReader(RocksStore store, Catalog catalog) {
        this.store = store;
        this.catalog = catalog;
    }

    /** One topic to read, and the offset to start from (forward) or to stop at (backward). */
    private record Source(Topic topic, byte[] name, long bound) {
    }

    History read(Collection<Selector> selectors, long after, int limit) {
        checkCount("limit", limit);
        long until = catalog.head();
        List<Message> page = List.of();
        if (limit > 0 && after < until && !selectors.isEmpty()) {
            long from = Math.max(after + 1, catalog.floor());
            List<Source> sources = sources(selectors, from);
            if (sources == null) {
                page = snapshot(ro -> scan(ro, selectors, from, until, limit));
            } else if (!sources.isEmpty()) {
                page = snapshot(ro -> merge(ro, sources, until, limit, true));
            }
        }
        return new History(page, catalog.marks.highest(selectors));
    }

    List<Message> last(Collection<Selector> selectors, int count) {
        checkCount("count", count);
        long until = catalog.head();
        if (count == 0 || until == 0 || selectors.isEmpty()) {
            return List.of();
        }
        long floor = catalog.floor();
        List<Source> sources = sources(selectors, floor);
        List<Message> newest;
        if (sources == null) {
            newest = snapshot(ro -> scanBack(ro, selectors, floor, until, count));
        } else if (sources.isEmpty()) {
            return List.of();
        } else {
            newest = snapshot(ro -> merge(ro, sources, until, count, false));
        }
        List<Message> oldestFirst = new ArrayList<>(newest);
        Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    private static void checkCount(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }

    /**
     * The topics to read through their index, each with where to start (its oldest message, or {@code from} if
     * later); {@code null} when the selectors cover too many topics and the log should be scanned instead.
     */
    private List<Source> sources(Collection<Selector> selectors, long from) {
        Set<Topic> exact = new HashSet<>();
        for (Selector s : selectors) {
            var topic = s.exactTopic();
            if (topic.isEmpty()) {
                exact = null;
                break;
            }
            exact.add(topic.get());
        }
        List<Source> sources = new ArrayList<>();
        if (exact != null) {
            if (exact.size() > MAX_MERGED_TOPICS) {
                return null;
            }
            for (Topic topic : exact) {
                TopicState state = catalog.get(topic);
                if (state != null) {
                    sources.add(new Source(topic, state.name, Math.max(from, state.oldest())));
                }
            }
            return sources;
        }
        if (catalog.topicCount() > MAX_ENUMERATED_TOPICS) {
            return null;
        }
        for (TopicState state : catalog.topics()) {
            if (Selector.anyMatches(selectors, state.topic)) {
                if (sources.size() == MAX_MERGED_TOPICS) {
                    return null;
                }
                sources.add(new Source(state.topic, state.name, Math.max(from, state.oldest())));
            }
        }
        return sources;
    }

    private interface SnapshotRead {
        List<Message> run(ReadOptions options) throws RocksDBException;
    }

    private List<Message> snapshot(SnapshotRead read) {
        return store.read(() -> {
            Snapshot snapshot = store.db.getSnapshot();
            try (ReadOptions options = new ReadOptions().setSnapshot(snapshot)) {
                return read.run(options);
            } finally {
                store.db.releaseSnapshot(snapshot);
            }
        });
    }

    /** Where one topic's index iterator stands. */
    private static final class Cursor {
        final Source source;
        final RocksIterator it;
        long offset;

        Cursor(Source source, RocksIterator it) {
            this.source = source;
            this.it = it;
        }

        /** Whether the iterator stands on an entry of the topic within the bounds; sets {@link #offset}. */
        boolean settle(long until, boolean forward) {
            if (!it.isValid()) {
                return false;
            }
            byte[] key = it.key();
            if (!Layout.isTopicKeyOf(key, source.name)) {
                return false;
            }
            offset = Layout.offsetOfTopicKey(key);
            return forward ? offset <= until : offset >= source.bound;
        }
    }

    // Forward: the oldest entries after each source's bound up to until; backward: the newest from until down.
    private List<Message> merge(ReadOptions options, List<Source> sources, long until, int limit, boolean forward)
            throws RocksDBException {
        Comparator<Cursor> order = Comparator.comparingLong(c -> c.offset);
        PriorityQueue<Cursor> next = new PriorityQueue<>(sources.size(), forward ? order : order.reversed());
        List<RocksIterator> iterators = new ArrayList<>(sources.size());
        try {
            for (Source source : sources) {
                RocksIterator it = store.db.newIterator(store.topics, options);
                iterators.add(it);
                if (forward) {
                    it.seek(Layout.topicKey(source.name, source.bound));
                } else {
                    it.seekForPrev(Layout.topicKey(source.name, until));
                }
                Cursor cursor = new Cursor(source, it);
                if (cursor.settle(until, forward)) {
                    next.add(cursor);
                }
            }
            List<byte[]> offsets = new ArrayList<>(Math.min(limit, 512));
            List<Topic> topics = new ArrayList<>(Math.min(limit, 512));
            while (!next.isEmpty() && offsets.size() < limit) {
                Cursor cursor = next.poll();
                offsets.add(Layout.offsetKey(cursor.offset));
                topics.add(cursor.source.topic);
                if (forward) {
                    cursor.it.next();
                } else {
                    cursor.it.prev();
                }
                if (cursor.settle(until, forward)) {
                    next.add(cursor);
                }
            }
            for (RocksIterator it : iterators) {
                it.status();
            }
            return fetch(options, offsets, topics);
        } finally {
            iterators.forEach(RocksIterator::close);
        }
    }

    private List<Message> fetch(ReadOptions options, List<byte[]> offsets, List<Topic> topics)
            throws RocksDBException {
        if (offsets.isEmpty()) {
            return List.of();
        }
        List<byte[]> values = store.db.multiGetAsList(options, Collections.nCopies(offsets.size(), store.messages),
                offsets);
        List<Message> messages = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            byte[] value = values.get(i);
            // Index and message are written and removed in one batch: in a snapshot, both or neither are there.
            if (value == null) {
                throw new IllegalStateException("log index names message " + Layout.offsetOf(offsets.get(i))
                        + " of topic " + topics.get(i) + ", which is missing from " + store.dir);
            }
            messages.add(Layout.decodeMessage(Layout.offsetOf(offsets.get(i)), value, topics.get(i)));
        }
        return messages;
    }

    private List<Message> scan(ReadOptions options, Collection<Selector> selectors, long from, long until,
            int limit) throws RocksDBException {
        TopicFilter filter = new TopicFilter(selectors);
        byte[] head = new byte[Layout.MESSAGE_HEAD_BYTES];
        List<Message> page = new ArrayList<>(Math.min(limit, 512));
        try (RocksIterator it = store.db.newIterator(store.messages, options)) {
            for (it.seek(Layout.offsetKey(from)); it.isValid() && page.size() < limit; it.next()) {
                long offset = Layout.offsetOf(it.key());
                if (offset > until) {
                    break;
                }
                take(it, offset, filter, head, page);
            }
            it.status();
        }
        return page;
    }

    private List<Message> scanBack(ReadOptions options, Collection<Selector> selectors, long floor, long until,
            int count) throws RocksDBException {
        TopicFilter filter = new TopicFilter(selectors);
        byte[] head = new byte[Layout.MESSAGE_HEAD_BYTES];
        List<Message> newest = new ArrayList<>(Math.min(count, 512));
        try (RocksIterator it = store.db.newIterator(store.messages, options)) {
            for (it.seekForPrev(Layout.offsetKey(until)); it.isValid() && newest.size() < count; it.prev()) {
                long offset = Layout.offsetOf(it.key());
                if (offset < floor) {
                    break;
                }
                take(it, offset, filter, head, newest);
            }
            it.status();
        }
        return newest;
    }

    // Reads the head of the value to filter on its topic; the rest only for a message that matches.
    private static void take(RocksIterator it, long offset, TopicFilter filter, byte[] head, List<Message> into) {
        int size = it.value(head);
        Topic topic = filter.match(head, Math.min(size, head.length));
        if (topic != null) {
            byte[] value = size <= head.length ? Arrays.copyOf(head, size) : it.value();
            into.add(Layout.decodeMessage(offset, value, topic));
        }
    }
}
