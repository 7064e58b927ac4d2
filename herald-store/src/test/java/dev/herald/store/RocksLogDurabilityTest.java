package dev.herald.store;

import static dev.herald.store.Logs.append;
import static dev.herald.store.Logs.data;
import static dev.herald.store.Logs.draft;
import static dev.herald.store.Logs.keyed;
import static dev.herald.store.Logs.offsets;
import static dev.herald.store.Logs.sel;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.History;
import dev.herald.core.Message;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Topic;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What survives a close and reopen, and what survives the process being killed. */
class RocksLogDurabilityTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    private RocksLog open(Retention retention) throws IOException {
        return RocksLog.open(RocksLogOptions.builder(dir)
                .retention(RetentionPolicy.of(retention))
                .clock(clock::get)
                .build());
    }

    @Test
    void aReopenedLogHasTheSameEpochHeadMessagesTrimMarksAndKeys() throws IOException {
        Retention two = new Retention(2, Duration.ofDays(1));
        String epoch;
        List<Message> before;
        try (RocksLog log = open(two)) {
            epoch = log.epoch();
            append(log, keyed("t", "a", "k1"), draft("t", "b"));
            append(log, new Draft(Topic.of("u"), "ev", "u1", "k2"));
            append(log, draft("t", "c"));
            before = log.read(sel("#"), 0, 100).messages();
            assertThat(log.head()).isEqualTo(4);
        }
        try (RocksLog log = open(two)) {
            assertThat(log.epoch()).isEqualTo(epoch);
            assertThat(log.head()).isEqualTo(4);
            History all = log.read(sel("#"), 0, 100);
            assertThat(all.messages()).isEqualTo(before);
            assertThat(data(all.messages())).containsExactly("b", "u1", "c");
            assertThat(all.messages().get(1).event()).isEqualTo("ev");
            assertThat(log.read(sel("t"), 0, 100).trimmedThrough()).isEqualTo(1);
            assertThat(log.read(sel("u"), 0, 100).trimmedThrough()).isZero();

            List<Appended> again = append(log, keyed("u", "u2", "k2"), keyed("t", "a again", "k1"));
            assertThat(again.get(0).duplicate()).isTrue();
            assertThat(again.get(0).message()).isEqualTo(before.get(1));
            // k1 went with the first message of t: it may be used again.
            assertThat(again.get(1).duplicate()).isFalse();
            assertThat(again.get(1).message().offset()).isEqualTo(5);
            // The count of t was rebuilt on open: the new message pushed out the oldest.
            assertThat(data(log.read(sel("t"), 0, 100).messages())).containsExactly("c", "a again");
            assertThat(log.read(sel("t"), 0, 100).trimmedThrough()).isEqualTo(2);
        }
        try (RocksLog log = open(two)) {
            assertThat(log.epoch()).isEqualTo(epoch);
            assertThat(log.head()).isEqualTo(5);
            assertThat(log.read(sel("t"), 0, 100).trimmedThrough()).isEqualTo(2);
        }
    }

    @Test
    void offsetsKeepGrowingAfterRetentionRemovedEverything() throws Exception {
        Retention minute = new Retention(100, Duration.ofMinutes(1));
        try (RocksLog log = open(minute)) {
            append(log, draft("t", "1"), draft("t", "2"), draft("u", "3"));
            clock.addAndGet(Duration.ofMinutes(2).toMillis());
            // No append follows: the writer expires them when idle.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!log.read(sel("#"), 0, 10).messages().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(log.read(sel("#"), 0, 10).messages()).isEmpty();
            assertThat(log.read(sel("#"), 0, 10).trimmedThrough()).isEqualTo(3);
        }
        try (RocksLog log = open(minute)) {
            assertThat(log.head()).isEqualTo(3);
            assertThat(log.read(sel("t"), 0, 10).trimmedThrough()).isEqualTo(2);
            assertThat(append(log, draft("t", "4")).get(0).message().offset()).isEqualTo(4);
            assertThat(data(log.read(sel("#"), 0, 10).messages())).containsExactly("4");
        }
    }

    @Test
    void aSmallerCountOnReopenTrimsAtTheNextAppend() throws IOException {
        try (RocksLog log = open(new Retention(10, Duration.ofDays(1)))) {
            for (int i = 1; i <= 5; i++) {
                append(log, draft("t", "m" + i));
            }
        }
        try (RocksLog log = open(new Retention(2, Duration.ofDays(1)))) {
            append(log, draft("t", "m6"));
            History h = log.read(sel("t"), 0, 10);
            assertThat(data(h.messages())).containsExactly("m5", "m6");
            assertThat(h.trimmedThrough()).isEqualTo(4);
        }
    }

    @Test
    void aDirectoryHoldsOneOpenLog() throws IOException {
        try (RocksLog log = open(Retention.DEFAULT)) {
            assertThatThrownBy(() -> open(Retention.DEFAULT)).isInstanceOf(IOException.class)
                    .hasMessageContaining(dir.toString());
            assertThat(log.isWritable()).isTrue();
        }
        try (RocksLog again = open(Retention.DEFAULT)) {
            assertThat(again.isWritable()).isTrue();
        }
    }

    @Test
    void aFileIsNoDataDirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> RocksLog.open(file)).isInstanceOf(IOException.class)
                .hasMessage("dataDir: " + file + " is not a directory (expected: a directory, or no file)");
    }

    @ParameterizedTest
    @EnumSource(SyncPolicy.class)
    void everyAcknowledgedAppendSurvivesAKill(SyncPolicy sync) throws Exception {
        Path data = dir.resolve("data");
        Path stderr = dir.resolve("stderr.txt");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                data.toString(), sync.name())
                .redirectError(stderr.toFile())
                .start();
        Map<Long, String> acknowledged = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acknowledged.size() < 400 && System.nanoTime() < deadline) {
                String line = out.readLine();
                if (line == null) {
                    break;
                }
                String[] parts = line.split(" ", 2);
                acknowledged.put(Long.parseLong(parts[0]), parts[1]);
            }
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(acknowledged).as("acknowledged before the kill; child's stderr: %s", Files.readString(stderr))
                .hasSizeGreaterThanOrEqualTo(400);

        try (RocksLog log = RocksLog.open(RocksLogOptions.builder(data)
                .retention(RetentionPolicy.of(new Retention(10_000_000, Duration.ofDays(3650))))
                .build())) {
            long head = log.head();
            List<Message> all = log.read(sel("#"), 0, Integer.MAX_VALUE).messages();
            // What survived is a prefix of what was written: every offset up to the head, no hole.
            assertThat(offsets(all)).isEqualTo(LongStream.rangeClosed(1, head).boxed().toList());
            Map<Long, String> found = new HashMap<>();
            all.forEach(m -> found.put(m.offset(), m.data()));
            assertThat(found).containsAllEntriesOf(acknowledged);
            assertThat(append(log, draft("after", "crash")).get(0).message().offset()).isEqualTo(head + 1);
        }
    }
}
