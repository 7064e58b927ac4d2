package dev.herald.redis;

import static dev.herald.redis.Logs.append;
import static dev.herald.redis.Logs.data;
import static dev.herald.redis.Logs.draft;
import static dev.herald.redis.Logs.freshPrefix;
import static dev.herald.redis.Logs.keyed;
import static dev.herald.redis.Logs.sel;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Appended;
import dev.herald.core.Cursor;
import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.core.Start;
import dev.herald.core.Subscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two nodes, each with its own RedisLog, sharing one log on one Redis. */
class RedisClusterLogTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.ephemeral();

    private final Logs logs = new Logs();

    @AfterEach
    void close() {
        logs.close();
    }

    private RedisLog node(String prefix, RetentionPolicy retention) {
        return logs.open(RedisLogOptions.builder(redis.uri()).prefix(prefix).retention(retention).build());
    }

    private RedisLog node(String prefix) {
        return node(prefix, RetentionPolicy.of(Retention.DEFAULT));
    }

    @Test
    void nodesShareTheEpochAndTheOffsetsAndEachListenerSeesEveryMessageOnceInOrder() throws Exception {
        String prefix = freshPrefix("cluster");
        RedisLog a = node(prefix);
        RedisLog b = node(prefix);
        assertThat(b.epoch()).isEqualTo(a.epoch());
        List<Long> seenByA = new CopyOnWriteArrayList<>();
        List<Long> seenByB = new CopyOnWriteArrayList<>();
        a.listen(batch -> batch.forEach(m -> seenByA.add(m.offset())));
        b.listen(batch -> batch.forEach(m -> seenByB.add(m.offset())));

        // Both nodes append at once, 64 appends under way on each.
        Set<Long> offsets = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<List<Appended>>> futures = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            RedisLog node = i % 2 == 0 ? a : b;
            futures.add(node.append(List.of(draft("room/" + (i % 5), "m" + i), draft("other", "o" + i))));
            if (futures.size() >= 128) {
                futures.remove(0).get(10, TimeUnit.SECONDS).forEach(x -> offsets.add(x.message().offset()));
            }
        }
        for (CompletableFuture<List<Appended>> f : futures) {
            f.get(10, TimeUnit.SECONDS).forEach(x -> offsets.add(x.message().offset()));
        }
        assertThat(offsets).hasSize(2000);
        assertThat(new TreeSet<>(offsets).first()).isEqualTo(1);
        assertThat(new TreeSet<>(offsets).last()).isEqualTo(2000);

        // Each listener hears of every message, its own and the other node's, once and in offset order.
        assertThat(Logs.await(10, () -> seenByA.size() >= 2000 && seenByB.size() >= 2000)).isTrue();
        List<Long> all = new ArrayList<>(new TreeSet<>(offsets));
        assertThat(seenByA).isEqualTo(all);
        assertThat(seenByB).isEqualTo(all);
        assertThat(Logs.await(5, () -> a.head() == 2000 && b.head() == 2000)).isTrue();
        assertThat(a.read(sel("room/+"), 0, 5000).messages()).isEqualTo(b.read(sel("room/+"), 0, 5000).messages())
                .hasSize(1000);
    }

    @Test
    void anAppendCompletesAfterTheAppendingNodesListenerAndTheOtherNodeHearsOfItToo() {
        String prefix = freshPrefix("ack");
        RedisLog a = node(prefix);
        RedisLog b = node(prefix);
        List<String> seenByA = new CopyOnWriteArrayList<>();
        List<String> seenByB = new CopyOnWriteArrayList<>();
        a.listen(batch -> batch.forEach(m -> seenByA.add(m.data())));
        b.listen(batch -> batch.forEach(m -> seenByB.add(m.data())));
        for (int i = 0; i < 50; i++) {
            append(i % 2 == 0 ? a : b, draft("t", "m" + i));
            assertThat(seenByA.size() + seenByB.size()).isGreaterThan(i); // the appender's listener had it
            RedisLog appender = i % 2 == 0 ? a : b;
            assertThat((appender == a ? seenByA : seenByB)).contains("m" + i);
        }
        assertThat(Logs.await(5, () -> seenByA.size() == 50 && seenByB.size() == 50)).isTrue();
        assertThat(seenByA).isEqualTo(seenByB);
    }

    @Test
    void anIdempotencyKeyHoldsAcrossNodes() {
        String prefix = freshPrefix("keys");
        RedisLog a = node(prefix);
        RedisLog b = node(prefix);
        Message original = append(a, keyed("orders", "first", "order-17")).get(0).message();
        List<Appended> again = append(b, keyed("orders", "retry from another node", "order-17"));
        assertThat(again.get(0).duplicate()).isTrue();
        assertThat(again.get(0).message()).isEqualTo(original);
        assertThat(data(b.read(sel("orders"), 0, 10).messages())).containsExactly("first");
    }

    @Test
    void messagesTrimmedInTheirOwnAppendReachTheOtherNodeAndItsReadsSeeTheTrimMark() {
        String prefix = freshPrefix("trim");
        RetentionPolicy one = RetentionPolicy.of(new Retention(1, Duration.ofDays(1)));
        RedisLog a = node(prefix, one);
        RedisLog b = node(prefix, one);
        List<String> seenByB = Collections.synchronizedList(new ArrayList<>());
        b.listen(batch -> batch.forEach(m -> seenByB.add(m.data())));
        append(a, draft("latest", "1"), draft("latest", "2"), draft("latest", "3"));
        assertThat(Logs.await(5, () -> seenByB.size() == 3)).isTrue();
        assertThat(seenByB).containsExactly("1", "2", "3");
        var history = b.read(sel("latest"), 0, 10);
        assertThat(data(history.messages())).containsExactly("3");
        assertThat(history.trimmedThrough()).isEqualTo(2);
        assertThat(b.read(sel("#"), 0, 10).trimmedThrough()).isEqualTo(2);
    }

    @Test
    void aNodeThatJoinsLaterFollowsFromTheEndAndReadsTheHistory() {
        String prefix = freshPrefix("join");
        RedisLog a = node(prefix);
        append(a, draft("t", "before"));
        RedisLog late = node(prefix);
        assertThat(late.head()).isEqualTo(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        late.listen(batch -> batch.forEach(m -> seen.add(m.data())));
        append(a, draft("t", "after"));
        assertThat(Logs.await(5, () -> seen.size() == 1)).isTrue();
        assertThat(seen).containsExactly("after");
        assertThat(data(late.read(sel("t"), 0, 10).messages())).containsExactly("before", "after");
    }

    /** A subscriber on the calling thread that records what it gets; {@code onMessages} may hold it up. */
    private static final class Recorder implements Subscriber {
        final List<String> got = new CopyOnWriteArrayList<>();
        final List<String> trouble = new CopyOnWriteArrayList<>();
        final CountDownLatch holding = new CountDownLatch(1);
        volatile CountDownLatch hold = new CountDownLatch(0);

        @Override
        public Executor executor() {
            return Runnable::run;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void onStart(Cursor position) {
        }

        @Override
        public void onCaughtUp() {
        }

        @Override
        public void onMessages(List<Message> messages) {
            messages.forEach(m -> got.add(m.data()));
            holding.countDown();
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onTruncated(Cursor requested) {
            trouble.add("truncated at " + requested);
        }

        @Override
        public void onFailure(Throwable cause) {
            trouble.add("failed: " + cause);
        }
    }

    @Test
    void aCursorAnotherNodeGaveIsAwaitedUntilThisNodeHasHeardOfItNotTakenForLostHistory() throws Exception {
        String prefix = freshPrefix("ahead");
        RedisLog a = node(prefix);
        RedisLog b = node(prefix);
        Hub hub = new Hub(b, Runnable::run);
        // A subscriber that holds up b's follower (fan-out runs on it): b hears of a's appends late.
        Recorder slow = new Recorder();
        slow.hold = new CountDownLatch(1);
        CountDownLatch release = slow.hold;
        hub.subscribe(List.of(Selector.of("t")), Start.now(), slow);
        append(a, draft("t", "1"));
        assertThat(slow.holding.await(5, TimeUnit.SECONDS)).isTrue();
        long second = append(a, draft("t", "2")).get(0).message().offset();
        assertThat(b.head()).isLessThan(second);
        assertThat(b.awaitHead(second + 100).get(5, TimeUnit.SECONDS)).as("never given out: at once").isNull();
        CompletableFuture<Void> reached = b.awaitHead(second);
        Thread.sleep(100);
        assertThat(reached).isNotDone();

        // A subscriber resuming on b from the cursor that a gave: not "history lost", and nothing twice.
        Recorder resumed = new Recorder();
        hub.subscribe(List.of(Selector.of("t")), Start.after(new Cursor(b.epoch(), second)), resumed);
        release.countDown();
        reached.get(5, TimeUnit.SECONDS);
        assertThat(b.head()).isGreaterThanOrEqualTo(second);
        append(a, draft("t", "3"));
        assertThat(Logs.await(5, () -> resumed.got.contains("3"))).isTrue();
        assertThat(resumed.got).containsExactly("3");
        assertThat(resumed.trouble).isEmpty();
        assertThat(slow.got).containsExactly("1", "2", "3");
    }
}
