package dev.herald.redis;

import dev.herald.core.History;
import dev.herald.core.Message;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads for {@link RedisLog#read} and {@link RedisLog#last}, on the caller's thread.
 *
 * <p>Selectors that are all exact topics, and few, read through the topics' indexes in one script ({@code
 * read.lua}), trim marks included. Others scan the stream in steps ({@code scan.lua}), each step dropping
 * entries that retention removed but that still wait in the stream for their deletion, and filter by selector
 * here; the trim marks are read after the scan, so a message trimmed while it ran is either returned or
 * marked.
 */
final class Reader {
    static final int MAX_EXACT_TOPICS = 16;
    static final int SCAN_COUNT = 512;
    /** The most messages one script returns: a script holds Redis for everyone else while it runs. */
    static final int MAX_STEP = 1024;
    private static final int MARKS_PAGE = 256;

    private final RedisAsyncCommands<String, String> redis;
    private final Keys keys;

    Reader(RedisAsyncCommands<String, String> redis, Keys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    History read(Collection<Selector> selectors, long after, int limit, long until) {
        Optional<List<Topic>> exact = exactTopics(selectors);
        if (limit <= 0 || after >= until) {
            return new History(List.of(), exact.isPresent() ? marks(exact.get()) : marks(selectors, after));
        }
        if (exact.isPresent()) {
            List<Message> page = new ArrayList<>(Math.min(limit, 64));
            long highest = 0;
            for (long from = after; page.size() < limit; ) {
                int step = Math.min(limit - page.size(), MAX_STEP);
                History h = byIndex(exact.get(), from, until, step, false);
                page.addAll(h.messages());
                highest = Math.max(highest, h.trimmedThrough());
                if (h.messages().size() < step) {
                    break;
                }
                from = h.messages().get(h.messages().size() - 1).offset();
            }
            return new History(page, highest);
        }
        List<Message> page = new ArrayList<>(Math.min(limit, 64));
        for (long from = after + 1; from <= until && page.size() < limit; ) {
            List<Object> step = Script.SCAN.run(redis, new String[] {keys.log(), keys.trim()},
                    Long.toString(from), Long.toString(until), Integer.toString(SCAN_COUNT), "asc").join();
            collect(selectors, (List<?>) step.get(2), page, limit);
            if ((Long) step.get(0) < SCAN_COUNT) {
                break;
            }
            from = Entries.offsetOf((String) step.get(1)) + 1;
        }
        return new History(page, marks(selectors, after));
    }

    List<Message> last(Collection<Selector> selectors, int count, long until) {
        if (count <= 0 || until <= 0) {
            return List.of();
        }
        Optional<List<Topic>> exact = exactTopics(selectors);
        List<Message> newest;
        if (exact.isPresent()) {
            newest = new ArrayList<>(Math.min(count, 64));
            for (long to = until; newest.size() < count && to >= 1; ) {
                int step = Math.min(count - newest.size(), MAX_STEP);
                List<Message> older = byIndex(exact.get(), 0, to, step, true).messages();
                newest.addAll(older);
                if (older.size() < step) {
                    break;
                }
                to = older.get(older.size() - 1).offset() - 1;
            }
        } else {
            newest = new ArrayList<>(Math.min(count, 64));
            for (long to = until; to >= 1 && newest.size() < count; ) {
                List<Object> step = Script.SCAN.run(redis, new String[] {keys.log(), keys.trim()}, "1",
                        Long.toString(to), Integer.toString(SCAN_COUNT), "desc").join();
                collect(selectors, (List<?>) step.get(2), newest, count);
                if ((Long) step.get(0) < SCAN_COUNT) {
                    break;
                }
                to = Entries.offsetOf((String) step.get(1)) - 1;
            }
        }
        Collections.reverse(newest);
        return newest;
    }

    private History byIndex(List<Topic> topics, long after, long until, int limit, boolean descending) {
        if (topics.isEmpty()) {
            return new History(List.of(), 0);
        }
        String[] k = new String[2 + topics.size()];
        String[] args = new String[4 + topics.size()];
        k[0] = keys.log();
        k[1] = keys.trim();
        args[0] = Long.toString(after);
        args[1] = Long.toString(until);
        args[2] = Integer.toString(limit);
        args[3] = descending ? "desc" : "asc";
        for (int i = 0; i < topics.size(); i++) {
            k[2 + i] = keys.topic(topics.get(i));
            args[4 + i] = topics.get(i).name();
        }
        List<Object> r = Script.READ.run(redis, k, args).join();
        List<?> entries = (List<?>) r.get(0);
        List<Message> messages = new ArrayList<>(entries.size());
        for (Object e : entries) {
            messages.add(Entries.fromScript(e));
        }
        long highest = 0;
        for (Object mark : (List<?>) r.get(1)) {
            if (mark != null) {
                highest = Math.max(highest, (long) Double.parseDouble((String) mark));
            }
        }
        return new History(messages, highest);
    }

    private static void collect(Collection<Selector> selectors, List<?> entries, List<Message> into, int limit) {
        for (Object e : entries) {
            if (into.size() == limit) {
                return;
            }
            Message m = Entries.fromScript(e);
            if (Selector.anyMatches(selectors, m.topic())) {
                into.add(m);
            }
        }
    }

    // The exact marks of a few topics.
    private long marks(List<Topic> topics) {
        if (topics.isEmpty()) {
            return 0;
        }
        String[] names = topics.stream().map(Topic::name).toArray(String[]::new);
        long highest = 0;
        for (Double score : redis.zmscore(keys.trim(), names).toCompletableFuture().join()) {
            if (score != null) {
                highest = Math.max(highest, score.longValue());
            }
        }
        return highest;
    }

    /*
     * The highest mark above `after` of a topic the selectors match, 0 if none: marks at or below the position
     * read from say nothing to this reader, and skipping them keeps the look-up as short as the marks that
     * matter. (History.isTruncatedAfter(after) is the same as with every mark counted.)
     */
    private long marks(Collection<Selector> selectors, long after) {
        Range<Long> above = Range.from(Range.Boundary.excluding(after), Range.Boundary.unbounded());
        for (long offset = 0; ; offset += MARKS_PAGE) {
            List<ScoredValue<String>> page = redis.zrevrangebyscoreWithScores(keys.trim(), above,
                    Limit.create(offset, MARKS_PAGE)).toCompletableFuture().join();
            for (ScoredValue<String> mark : page) {
                Topic topic;
                try {
                    topic = Topic.of(mark.getValue());
                } catch (IllegalArgumentException e) {
                    continue; // not a Herald topic: not ours to report
                }
                if (Selector.anyMatches(selectors, topic)) {
                    return (long) mark.getScore();
                }
            }
            if (page.size() < MARKS_PAGE) {
                return 0;
            }
        }
    }

    private static Optional<List<Topic>> exactTopics(Collection<Selector> selectors) {
        Set<Topic> topics = new LinkedHashSet<>();
        for (Selector s : selectors) {
            Optional<Topic> t = s.exactTopic();
            if (t.isEmpty()) {
                return Optional.empty();
            }
            topics.add(t.get());
        }
        return topics.size() <= MAX_EXACT_TOPICS ? Optional.of(List.copyOf(topics)) : Optional.empty();
    }
}
