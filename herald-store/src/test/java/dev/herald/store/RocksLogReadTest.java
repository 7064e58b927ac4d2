package dev.herald.store;

import static dev.herald.store.Logs.append;
import static dev.herald.store.Logs.data;
import static dev.herald.store.Logs.draft;
import static dev.herald.store.Logs.offsets;
import static dev.herald.store.Logs.sel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Draft;
import dev.herald.core.History;
import dev.herald.core.Message;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads beyond the contract: bounds, both ways of reading, and reads racing with the writer. */
class RocksLogReadTest {
    @TempDir
    Path dir;

    private RocksLog log;

    private RocksLog open(Retention retention) throws IOException {
        log = RocksLog.open(RocksLogOptions.builder(dir).retention(RetentionPolicy.of(retention))
                .sync(SyncPolicy.NONE).build());
        return log;
    }

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    @Test
    void boundsOfAReadAreChecked() throws IOException {
        open(Retention.DEFAULT);
        append(log, draft("a", "1"), draft("b", "2"));
        assertThat(log.read(sel("#"), 5, 10).messages()).isEmpty();
        assertThat(log.read(sel("#"), Long.MAX_VALUE, 10).messages()).isEmpty();
        assertThat(data(log.read(sel("#"), -3, 10).messages())).containsExactly("1", "2");
        assertThat(log.read(sel("#"), 0, 0).messages()).isEmpty();
        assertThat(log.read(Set.of(), 0, 10).messages()).isEmpty();
        assertThat(log.last(sel("#"), 0)).isEmpty();
        assertThat(log.last(Set.of(), 5)).isEmpty();
        assertThat(data(log.read(sel("#"), 0, Integer.MAX_VALUE).messages())).containsExactly("1", "2");
        assertThatThrownBy(() -> log.read(sel("#"), 0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit: -1 (expected: >= 0)");
        assertThatThrownBy(() -> log.last(sel("#"), -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count: -1 (expected: >= 0)");
    }

    @Test
    void manyTopicsAreScannedAndFewAreMerged() throws IOException {
        open(new Retention(2, Duration.ofDays(1)));
        // More topics than a wildcard read enumerates: "t/#" and many exact topics take the scan.
        int topics = LogReader.MAX_ENUMERATED_TOPICS + 100;
        List<Draft> drafts = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < topics; i++) {
                drafts.add(draft("t/" + i, round + "/" + i));
            }
        }
        for (int from = 0; from < drafts.size(); from += 1000) {
            log.append(drafts.subList(from, Math.min(drafts.size(), from + 1000))).join();
        }
        assertThat(log.head()).isEqualTo(3L * topics);

        History all = log.read(sel("t/#"), 0, Integer.MAX_VALUE);
        assertThat(all.messages()).hasSize(2 * topics);
        assertThat(all.messages().get(0).data()).isEqualTo("1/0");
        assertThat(all.trimmedThrough()).isEqualTo(topics);

        Set<Selector> many = IntStream.range(0, LogReader.MAX_MERGED_TOPICS + 1)
                .mapToObj(i -> Selector.of("t/" + (i * 7))).collect(Collectors.toSet());
        Set<Selector> few = IntStream.range(0, LogReader.MAX_MERGED_TOPICS)
                .mapToObj(i -> Selector.of("t/" + (i * 7))).collect(Collectors.toSet());
        for (Set<Selector> selectors : List.of(many, few)) {
            List<Message> page = log.read(selectors, 0, 100).messages();
            assertThat(page).hasSize(100);
            assertThat(offsets(page)).isSorted().doesNotHaveDuplicates();
            assertThat(page).allMatch(m -> selectors.contains(Selector.of(m.topic())));
            assertThat(page.get(0).data()).isEqualTo("1/0");
            List<Message> newest = log.last(selectors, 3);
            assertThat(data(newest)).containsExactly(
                    "2/" + 7 * (selectors.size() - 3), "2/" + 7 * (selectors.size() - 2),
                    "2/" + 7 * (selectors.size() - 1));
        }
        assertThat(data(log.last(sel("t/5", "t/3"), 10))).containsExactly("1/3", "1/5", "2/3", "2/5");
        assertThat(data(log.read(sel("t/5", "t/3"), topics + 6, 10).messages())).containsExactly("2/3", "2/5");
    }

    @Test
    void aReadRacingTheWriterSeesAGaplessPrefix() throws Exception {
        open(new Retention(1_000_000, Duration.ofDays(1)));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 1500; i++) {
                        log.append(List.of(draft("w/" + writer, "m" + i), draft("other/" + i % 5, "o"))).join();
                    }
                    return null;
                }));
            }
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                int reader = r;
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    while (!stop.get()) {
                        long head = log.head();
                        long after = head == 0 ? 0 : ThreadLocalRandom.current().nextLong(head);
                        Set<Selector> selectors = reader == 0 ? sel("#") : reader == 1 ? sel("w/0", "w/1")
                                : sel("w/+", "other/1");
                        List<Message> page = log.read(selectors, after, 200).messages();
                        assertThat(offsets(page)).isSorted().doesNotHaveDuplicates();
                        if (reader == 0) {
                            // Everything matches "#": a page is the run of offsets right after the position.
                            assertThat(offsets(page)).isEqualTo(
                                    LongStream.rangeClosed(after + 1, after + page.size()).boxed().toList());
                        }
                        assertThat(page).allMatch(m -> m.offset() <= log.head());
                        reads++;
                    }
                    return reads;
                }));
            }
            for (Future<?> w : writers) {
                w.get(60, TimeUnit.SECONDS);
            }
            stop.set(true);
            for (Future<Integer> r : readers) {
                assertThat(r.get(10, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        assertThat(log.head()).isEqualTo(6000);
        assertThat(log.read(sel("w/0"), 0, 10_000).messages()).hasSize(1500);
    }
}
