package dev.herald.redis;

import static dev.herald.redis.Logs.append;
import static dev.herald.redis.Logs.draft;
import static dev.herald.redis.Logs.freshPrefix;
import static dev.herald.redis.Logs.keyed;
import static dev.herald.redis.Logs.sel;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Appended;
import dev.herald.core.Message;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis going away under a running log: killed (and restarted from its append-only file) or frozen. Nothing
 * acknowledged is lost, nothing refused is stored, and nothing is delivered twice.
 */
class RedisFaultsTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.durable();

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private final Logs logs = new Logs();

    @AfterEach
    void close() {
        redis.start(); // in case a test failed with Redis away
        logs.close();
    }

    private RedisLog node(String prefix) {
        return logs.open(RedisLogOptions.builder(redis.uri()).prefix(prefix).commandTimeout(TIMEOUT).build());
    }

    /** What became of one append made while Redis was killed and restarted. */
    private record Outcome(String data, long offset, AppendException failure) {
    }

    @Test
    void aKilledRedisRefusesAppendsFastAndAfterItsRestartTheLogGoesOnWithNothingLostOrDoubled() throws Exception {
        String prefix = freshPrefix("restart");
        RedisLog a = node(prefix);
        RedisLog b = node(prefix);
        Map<String, List<Long>> seen = Map.of("a", new CopyOnWriteArrayList<>(), "b", new CopyOnWriteArrayList<>());
        a.listen(batch -> batch.forEach(m -> seen.get("a").add(m.offset())));
        b.listen(batch -> batch.forEach(m -> seen.get("b").add(m.offset())));
        for (int i = 0; i < 100; i++) {
            append(i % 2 == 0 ? a : b, draft("before", "b" + i));
        }

        // A publisher keeps appending, 16 at a time, all through the kill and the restart.
        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
            Semaphore window = new Semaphore(16);
            for (int i = 0; publishing.get(); i++) {
                window.acquireUninterruptibly();
                String data = "p" + i;
                a.append(List.of(keyed("during", data, data))).whenComplete((r, e) -> {
                    window.release();
                    outcomes.add(e == null ? new Outcome(data, r.get(0).message().offset(), null)
                            : new Outcome(data, 0, (AppendException) unwrap(e)));
                });
                if (i % 16 == 0) {
                    pause(5);
                }
            }
            window.acquireUninterruptibly(16);
        }, "publisher");
        publisher.start();
        pause(300);

        redis.stop();
        assertThat(Logs.await(5, () -> !a.isWritable() && !b.isWritable())).as("unwritable once Redis is gone")
                .isTrue();
        long started = System.nanoTime();
        CompletableFuture<List<Appended>> refused = a.append(List.of(draft("during", "refused")));
        assertThat(refused).failsWithin(Duration.ofMillis(200)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AppendException.class).withMessageContaining("unreachable");
        assertThat(((AppendException) unwrap(refused.handle((r, e) -> e).join())).mayBeStored()).isFalse();
        assertThat(System.nanoTime() - started).isLessThan(TIMEOUT.toNanos());
        pause(500);

        redis.start();
        assertThat(Logs.await(15, () -> a.isWritable() && b.isWritable())).as("writable again by itself").isTrue();
        pause(300);
        publishing.set(false);
        publisher.join(10_000);
        List<Appended> after = append(b, draft("after", "x"), draft("after", "y"));

        // Both followers caught up: each heard of every offset once, in order, across the restart.
        long last = after.get(1).message().offset();
        assertThat(Logs.await(10, () -> a.head() == last && seen.get("a").contains(last)
                && seen.get("b").contains(last))).isTrue();
        for (List<Long> offsets : seen.values()) {
            assertThat(offsets).doesNotHaveDuplicates().isSorted();
        }
        assertThat(seen.get("a")).isEqualTo(seen.get("b"));

        Map<String, Long> stored = new HashMap<>();
        for (Message m : a.read(sel("#"), 0, 100_000).messages()) {
            stored.put(m.data(), m.offset());
        }
        assertThat(stored).containsKeys("b0", "b99", "x", "y");
        List<Long> offsetsSeen = seen.get("a");
        assertThat(offsetsSeen).containsAll(stored.values());
        int acknowledged = 0;
        int refusedCount = 0;
        for (Outcome o : outcomes) {
            if (o.failure() == null) {
                acknowledged++;
                assertThat(stored.get(o.data())).as("acknowledged %s", o.data()).isEqualTo(o.offset());
            } else if (!o.failure().mayBeStored()) {
                refusedCount++;
                assertThat(stored).as("refused %s", o.data()).doesNotContainKey(o.data());
            }
        }
        assertThat(acknowledged).isPositive();
        assertThat(refusedCount).isPositive();
    }

    @Test
    void aFrozenRedisTimesAppendsOutAndSaysTheyMayBeStored() {
        RedisLog log = node(freshPrefix("frozen"));
        append(log, draft("t", "1"));
        redis.freeze(true);
        try {
            CompletableFuture<List<Appended>> stuck = log.append(List.of(keyed("t", "2", "k2")));
            Throwable failure = stuck.handle((r, e) -> e).orTimeout(5, TimeUnit.SECONDS).join();
            assertThat(failure).isNotNull();
            AppendException e = (AppendException) unwrap(failure);
            assertThat(e.mayBeStored()).isTrue();
            assertThat(e).hasMessageContaining("did not answer within");
            assertThat(log.isWritable()).isFalse();
        } finally {
            redis.freeze(false);
        }
        assertThat(Logs.await(5, log::isWritable)).isTrue();
        // It was stored after all, once Redis thawed: a retry with the same key is recognised.
        List<Appended> retry = append(log, keyed("t", "2 again", "k2"));
        assertThat(retry.get(0).duplicate()).isTrue();
        assertThat(retry.get(0).message().data()).isEqualTo("2");
    }

    @Test
    void aLogClosesPromptlyWhileRedisIsAway() {
        RedisLog log = node(freshPrefix("away"));
        append(log, draft("t", "1"));
        redis.stop();
        CompletableFuture<List<Appended>> refused = log.append(List.of(draft("t", "2")));
        long started = System.nanoTime();
        log.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(refused).isCompletedExceptionally();
        assertThat(log.isWritable()).isFalse();
        assertThat(log.append(List.of(draft("t", "3")))).failsWithin(Duration.ofSeconds(1))
                .withThrowableOfType(ExecutionException.class).withMessageContaining("log closed");
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static void pause(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
