package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Log} promises. An implementation's test extends this and opens a fresh, empty log.
 */
public abstract class LogContract {
    protected final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final List<Log> opened = new ArrayList<>();

    /** A new, empty log with this retention and clock. */
    protected abstract Log create(RetentionPolicy retention, LongSupplier clock);

    protected Log open(RetentionPolicy retention) {
        Log log = create(retention, clock::get);
        opened.add(log);
        return log;
    }

    protected Log open() {
        return open(RetentionPolicy.of(Retention.DEFAULT));
    }

    @AfterEach
    void closeLogs() {
        opened.forEach(Log::close);
    }

    protected static Draft draft(String topic, String data) {
        return Draft.of(Topic.of(topic), data);
    }

    protected static Draft keyed(String topic, String data, String key) {
        return new Draft(Topic.of(topic), Message.DEFAULT_EVENT, data, key);
    }

    protected static List<Appended> append(Log log, Draft... drafts) {
        return log.append(List.of(drafts)).orTimeout(10, TimeUnit.SECONDS).join();
    }

    protected static List<String> data(List<Message> messages) {
        return messages.stream().map(Message::data).toList();
    }

    private static Set<Selector> sel(String... patterns) {
        Set<Selector> s = new java.util.LinkedHashSet<>();
        for (String p : patterns) {
            s.add(Selector.of(p));
        }
        return s;
    }

    @Test
    void epochIsAValidCursorEpoch() {
        Log log = open();
        assertThat(new Cursor(log.epoch(), 0).token()).startsWith(log.epoch() + "-");
        assertThat(log.head()).isZero();
        assertThat(log.isWritable()).isTrue();
    }

    @Test
    void appendGivesIncreasingOffsetsInDraftOrder() {
        Log log = open();
        List<Appended> first = append(log, draft("a", "1"), draft("b", "2"));
        List<Appended> second = append(log, draft("a", "3"));
        assertThat(first).extracting(a -> a.message().offset()).containsExactly(1L, 2L);
        assertThat(second).extracting(a -> a.message().offset()).containsExactly(3L);
        assertThat(first).extracting(Appended::duplicate).containsOnly(false);
        assertThat(log.head()).isEqualTo(3);
        Message m = first.get(1).message();
        assertThat(m.topic()).isEqualTo(Topic.of("b"));
        assertThat(m.data()).isEqualTo("2");
        assertThat(m.event()).isEqualTo(Message.DEFAULT_EVENT);
        assertThat(m.time()).isEqualTo(clock.get());
    }

    @Test
    void keepsEventDataAndKeyExactly() {
        Log log = open();
        String data = "line 1\r\nline 2\rline 3\n\u00e9\u4e2d\uD83D\uDE00 \"quoted\" \u0000 end";
        append(log, new Draft(Topic.of("chat/room-1"), "chat.message", data, "k-1"));
        Message m = log.read(sel("#"), 0, 10).messages().get(0);
        assertThat(m.event()).isEqualTo("chat.message");
        assertThat(m.data()).isEqualTo(data);
        assertThat(m.key()).isEqualTo("k-1");
    }

    @Test
    void readReturnsMatchingMessagesAfterThePositionInOrder() {
        Log log = open();
        append(log, draft("chat/a", "1"), draft("chat/b", "2"), draft("other", "3"), draft("chat/a/x", "4"));
        append(log, draft("chat/a", "5"));
        assertThat(data(log.read(sel("chat/a"), 0, 100).messages())).containsExactly("1", "5");
        assertThat(data(log.read(sel("chat/+"), 0, 100).messages())).containsExactly("1", "2", "5");
        assertThat(data(log.read(sel("chat/#"), 0, 100).messages())).containsExactly("1", "2", "4", "5");
        assertThat(data(log.read(sel("chat/a", "other"), 1, 100).messages())).containsExactly("3", "5");
        assertThat(data(log.read(sel("#"), 2, 2).messages())).containsExactly("3", "4");
        assertThat(log.read(sel("#"), 5, 100).messages()).isEmpty();
        assertThat(log.read(sel("nothing"), 0, 100).messages()).isEmpty();
    }

    @Test
    void overlappingSelectorsReturnAMessageOnce() {
        Log log = open();
        append(log, draft("a/b", "1"));
        assertThat(data(log.read(sel("a/b", "a/+", "#"), 0, 10).messages())).containsExactly("1");
        assertThat(data(log.last(sel("a/b", "a/#"), 10))).containsExactly("1");
    }

    @Test
    void lastReturnsTheNewestOldestFirst() {
        Log log = open();
        for (int i = 1; i <= 10; i++) {
            append(log, draft(i % 2 == 0 ? "even" : "odd", Integer.toString(i)));
        }
        assertThat(data(log.last(sel("even"), 3))).containsExactly("6", "8", "10");
        assertThat(data(log.last(sel("#"), 2))).containsExactly("9", "10");
        assertThat(data(log.last(sel("odd"), 100))).containsExactly("1", "3", "5", "7", "9");
        assertThat(log.last(sel("none"), 5)).isEmpty();
    }

    @Test
    void aKeyAlreadyInTheTopicIsADuplicate() {
        Log log = open();
        Message original = append(log, keyed("t", "first", "k")).get(0).message();
        List<Appended> again = append(log, keyed("t", "second", "k"), keyed("u", "other topic", "k"));
        assertThat(again.get(0).duplicate()).isTrue();
        assertThat(again.get(0).message()).isEqualTo(original);
        assertThat(again.get(1).duplicate()).isFalse();
        assertThat(data(log.read(sel("#"), 0, 10).messages())).containsExactly("first", "other topic");
        assertThat(log.head()).isEqualTo(2);
    }

    @Test
    void aKeyRepeatedInOneBatchIsStoredOnce() {
        Log log = open();
        List<Appended> batch = append(log, keyed("t", "a", "k"), keyed("t", "b", "k"), draft("t", "c"));
        assertThat(batch).extracting(Appended::duplicate).containsExactly(false, true, false);
        assertThat(batch.get(1).message()).isEqualTo(batch.get(0).message());
        assertThat(data(log.read(sel("t"), 0, 10).messages())).containsExactly("a", "c");
    }

    @Test
    void retentionByCountTrimsEachTopicAndSaysSo() {
        Log log = open(RetentionPolicy.of(new Retention(3, Duration.ofDays(1))));
        for (int i = 1; i <= 5; i++) {
            append(log, draft("busy", "b" + i));
        }
        append(log, draft("quiet", "q1"));
        History fromStart = log.read(sel("busy"), 0, 100);
        assertThat(data(fromStart.messages())).containsExactly("b3", "b4", "b5");
        assertThat(fromStart.trimmedThrough()).isEqualTo(2);
        assertThat(fromStart.isTruncatedAfter(0)).isTrue();
        assertThat(fromStart.isTruncatedAfter(1)).isTrue();
        assertThat(log.read(sel("busy"), 2, 100).isTruncatedAfter(2)).isFalse();
        assertThat(log.read(sel("quiet"), 0, 100).isTruncatedAfter(0)).isFalse();
        assertThat(log.read(sel("+"), 0, 100).trimmedThrough()).isEqualTo(2);
        assertThat(log.head()).isEqualTo(6);
    }

    @Test
    void retentionRulesApplyPerTopicPattern() {
        RetentionPolicy policy = new RetentionPolicy(new Retention(100, Duration.ofDays(1)),
                List.of(new RetentionPolicy.Rule(Selector.of("demo/#"), new Retention(1, Duration.ofDays(1)))));
        Log log = open(policy);
        append(log, draft("demo/clock", "1"), draft("demo/clock", "2"), draft("chat/x", "a"), draft("chat/x", "b"));
        assertThat(data(log.read(sel("#"), 0, 100).messages())).containsExactly("2", "a", "b");
    }

    @Test
    void retentionByAgeRemovesOldMessages() throws Exception {
        Log log = open(RetentionPolicy.of(new Retention(1000, Duration.ofMinutes(1))));
        append(log, draft("t", "old"));
        clock.addAndGet(Duration.ofMinutes(2).toMillis());
        append(log, draft("t", "new"));
        // Age retention may run in the background; give it a moment.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        History h = log.read(sel("t"), 0, 10);
        while (h.messages().size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            append(log, draft("other", "tick"));
            h = log.read(sel("t"), 0, 10);
        }
        assertThat(data(h.messages())).containsExactly("new");
        assertThat(h.trimmedThrough()).isEqualTo(1);
    }

    @Test
    void aTrimmedKeyMayBeUsedAgain() {
        Log log = open(RetentionPolicy.of(new Retention(1, Duration.ofDays(1))));
        append(log, keyed("t", "first", "k"));
        append(log, draft("t", "pushes the first out"));
        List<Appended> again = append(log, keyed("t", "second", "k"));
        assertThat(again.get(0).duplicate()).isFalse();
        assertThat(again.get(0).message().data()).isEqualTo("second");
    }

    @Test
    void theListenerSeesEveryStoredMessageOnceInOrderBeforeTheAppendCompletes() throws Exception {
        Log log = open();
        List<Long> seen = new CopyOnWriteArrayList<>();
        log.listen(batch -> batch.forEach(m -> seen.add(m.offset())));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        List<Appended> done = append(log, draft("t/" + thread, "m" + i), keyed("t/" + thread, "k", "k"));
                        long offset = done.get(0).message().offset();
                        assertThat(seen).contains(offset);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(1004).doesNotHaveDuplicates();
        List<Long> sorted = new ArrayList<>(seen);
        Collections.sort(sorted);
        assertThat(seen).isEqualTo(sorted);
        assertThat(log.head()).isEqualTo(1004);
        assertThat(log.read(sel("#"), 0, 2000).messages()).hasSize(1004);
    }

    @Test
    void anEmptyBatchStoresNothing() {
        Log log = open();
        assertThat(append(log)).isEmpty();
        assertThat(log.head()).isZero();
    }

    @Test
    void aClosedLogRefusesAppends() {
        Log log = create(RetentionPolicy.of(Retention.DEFAULT), clock::get);
        log.close();
        assertThat(log.isWritable()).isFalse();
        assertThat(log.append(List.of(draft("t", "x")))).failsWithin(Duration.ofSeconds(10));
    }
}
