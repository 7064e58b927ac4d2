package dev.herald.store;

import static dev.herald.store.Logs.append;
import static dev.herald.store.Logs.data;
import static dev.herald.store.Logs.draft;
import static dev.herald.store.Logs.sel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Message;
import dev.herald.core.Topic;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread: its queue and its bound, group commits, the listener, failures and close. */
class RocksLogWriterTest {
    @TempDir
    Path dir;

    private final List<RocksLog> opened = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void closeLogs() {
        release.countDown();
        opened.forEach(RocksLog::close);
    }

    private RocksLog open(RocksLogOptions.Builder options) throws IOException {
        RocksLog log = RocksLog.open(options.build());
        opened.add(log);
        return log;
    }

    private RocksLogOptions.Builder options() {
        return RocksLogOptions.builder(dir);
    }

    /** Makes the writer wait in the listener for {@link #release}; returns once it waits there. */
    private void holdTheWriter(RocksLog log, Consumer<List<Message>> then) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        log.listen(batch -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            then.accept(batch);
        });
        log.append(List.of(draft("hold", "the writer")));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theWriterIsOneNamedThread() throws Exception {
        RocksLog log = open(options());
        AtomicReference<String> name = new AtomicReference<>();
        log.listen(batch -> name.set(Thread.currentThread().getName()));
        append(log, draft("t", "x"));
        assertThat(name.get()).isEqualTo("herald-log-writer");
    }

    @Test
    void aFullQueueFailsTheAppendAtOnce() throws Exception {
        RocksLog log = open(options().queueCapacity(2));
        holdTheWriter(log, batch -> { });
        CompletableFuture<List<Appended>> first = log.append(List.of(draft("t", "1")));
        CompletableFuture<List<Appended>> second = log.append(List.of(draft("t", "2")));
        CompletableFuture<List<Appended>> third = log.append(List.of(draft("t", "3")));
        assertThat(third).isCompletedExceptionally();
        assertThatThrownBy(third::get).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("log writer queue is full: 2 appends waiting");
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).get(0).message().offset()).isEqualTo(2);
        assertThat(second.get(10, TimeUnit.SECONDS).get(0).message().offset()).isEqualTo(3);
        assertThat(log.isWritable()).isTrue();
        assertThat(data(log.read(sel("t"), 0, 10).messages())).containsExactly("1", "2");
    }

    @Test
    void waitingAppendsAreCommittedInGroupsOfAtMostMaxBatchDrafts() throws Exception {
        RocksLog log = open(options().maxBatch(4));
        List<Integer> groups = new CopyOnWriteArrayList<>();
        holdTheWriter(log, batch -> groups.add(batch.size()));
        List<CompletableFuture<List<Appended>>> futures = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            futures.add(log.append(List.of(draft("t", "m" + i))));
        }
        // An append of more drafts than maxBatch is not split: it makes a group of its own.
        futures.add(log.append(List.of(draft("t", "a"), draft("t", "b"), draft("t", "c"), draft("t", "d"),
                draft("t", "e"), draft("t", "f"))));
        futures.add(log.append(List.of(draft("t", "last"))));
        release.countDown();
        for (CompletableFuture<List<Appended>> f : futures) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertThat(groups).containsExactly(1, 4, 4, 1, 6, 1);
        assertThat(log.head()).isEqualTo(17);
        assertThat(futures.get(9).get().get(5).message().offset()).isEqualTo(16);
    }

    @Test
    void aFailingListenerDoesNotStopTheWriter() throws Exception {
        RocksLog log = open(options());
        log.listen(batch -> {
            throw new IllegalStateException("listener bug");
        });
        assertThat(append(log, draft("t", "1"))).hasSize(1);
        assertThat(append(log, draft("t", "2")).get(0).message().offset()).isEqualTo(2);
        assertThat(log.isWritable()).isTrue();
    }

    @Test
    void closeFinishesTheQueuedAppends() throws Exception {
        RocksLog log = open(options());
        holdTheWriter(log, batch -> { });
        List<CompletableFuture<List<Appended>>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(log.append(List.of(draft("t", "m" + i))));
        }
        CompletableFuture<Void> closing = CompletableFuture.runAsync(log::close);
        // close() waits for the writer, which is held: the log refuses appends meanwhile.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.isWritable() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(log.isWritable()).isFalse();
        assertThat(closing).isNotDone();
        CompletableFuture<List<Appended>> late = log.append(List.of(draft("t", "late")));
        release.countDown();
        closing.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<List<Appended>> f : futures) {
            assertThat(f).isCompleted();
            assertThat(f.get()).hasSize(1);
        }
        assertThatThrownBy(late::get).cause().isInstanceOf(IllegalStateException.class)
                .hasMessage("log closed: " + dir);
        assertThatThrownBy(() -> log.read(sel("#"), 0, 10)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> log.last(sel("#"), 10)).isInstanceOf(IllegalStateException.class);
        log.close(); // again: no effect

        try (RocksLog again = RocksLog.open(dir)) {
            assertThat(again.head()).isEqualTo(6);
            assertThat(data(again.read(sel("t"), 0, 10).messages())).containsExactly("m0", "m1", "m2", "m3", "m4");
        }
    }

    @Test
    void theListenerMayCloseTheLog() throws Exception {
        RocksLog log = open(options());
        log.listen(batch -> log.close());
        assertThat(append(log, draft("t", "1"))).hasSize(1);
        assertThat(log.isWritable()).isFalse();
        // The writer closes the database once the group is done; then the directory may be opened again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (RocksLog again = RocksLog.open(dir)) {
                assertThat(again.head()).isEqualTo(1);
                break;
            } catch (IOException stillOpen) {
                if (System.nanoTime() > deadline) {
                    throw stillOpen;
                }
                Thread.sleep(10);
            }
        }
    }

    @Test
    void aFailedCommitFailsItsAppendsAndStopsTheLog() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        RocksLog log = open(options().clock(() -> {
            if (broken.get()) {
                throw new IllegalStateException("clock broke");
            }
            return System.currentTimeMillis();
        }));
        append(log, draft("t", "1"));
        broken.set(true);
        CompletableFuture<List<Appended>> failed = log.append(List.of(draft("t", "2")));
        assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class).hasMessageContaining("clock broke");
        assertThat(log.isWritable()).isFalse();
        assertThatThrownBy(() -> log.append(List.of(draft("t", "3"))).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("log takes no more appends after a failed write");
        assertThat(log.head()).isEqualTo(1);
        assertThat(data(log.read(sel("t"), 0, 10).messages())).containsExactly("1");
    }

    @Test
    void textThatUtf8CannotHoldIsRefused() throws Exception {
        RocksLog log = open(options());
        CompletableFuture<List<Appended>> bad = log.append(List.of(draft("t", "fine"),
                new Draft(Topic.of("t"), "message", "half a pair \uD83D", "")));
        assertThatThrownBy(bad::get).cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data of draft 1: contains an unpaired surrogate (expected: text that UTF-8 can encode)");
        assertThat(log.head()).isZero();
    }

    @Test
    void anEmptyAppendOfAClosedLogFails() throws Exception {
        RocksLog log = open(options());
        log.close();
        assertThat(log.append(List.of())).failsWithin(Duration.ofSeconds(1));
    }

    @Test
    void largeValuesRoundTrip() throws Exception {
        RocksLog log = open(options());
        String big = "x".repeat(300_000) + "\u00e9\uD83D\uDE00";
        String key = "k".repeat(1000);
        append(log, draft("a", "small"), new Draft(Topic.of("b"), "e".repeat(200), big, key), draft("a", "s2"));
        // A scan reads the first bytes of a value to filter, and the rest only when it matches.
        assertThat(log.read(sel("#"), 0, 10).messages()).extracting(Message::data)
                .containsExactly("small", big, "s2");
        assertThat(log.read(sel("+"), 0, 10).messages().get(1).key()).isEqualTo(key);
        assertThat(data(log.last(sel("#"), 2))).containsExactly(big, "s2");
        assertThat(append(log, new Draft(Topic.of("b"), "x", "again", key)).get(0).duplicate()).isTrue();
    }
}
