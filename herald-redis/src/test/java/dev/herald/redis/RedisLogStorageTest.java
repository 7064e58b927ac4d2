package dev.herald.redis;

import static dev.herald.redis.Logs.append;
import static dev.herald.redis.Logs.data;
import static dev.herald.redis.Logs.draft;
import static dev.herald.redis.Logs.freshPrefix;
import static dev.herald.redis.Logs.keyed;
import static dev.herald.redis.Logs.sel;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Message;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the Redis log adds to the contract: its keys, deferred deletion, both read paths, epochs, refusals. */
class RedisLogStorageTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.ephemeral();

    private final Logs logs = new Logs();

    @AfterEach
    void close() {
        logs.close();
    }

    private RedisLogOptions.Builder options(String prefix) {
        return RedisLogOptions.builder(redis.uri()).prefix(prefix);
    }

    @Test
    void keysShareOneHashTagAndHaveTheDocumentedTypes() {
        String prefix = freshPrefix("layout");
        RedisLog log = logs.open(options(prefix).retention(RetentionPolicy.of(new Retention(1, Duration.ofDays(1))))
                .build());
        append(log, keyed("chat/a", "1", "k1"), draft("chat/a", "2"));
        String base = prefix + "{0}:";
        assertThat(redis.call("GET", base + "epoch")).isEqualTo(log.epoch());
        assertThat(redis.call("GET", base + "seq")).isEqualTo("2");
        assertThat(redis.call("TYPE", base + "log")).isEqualTo("stream");
        assertThat(redis.call("TYPE", base + "t:chat/a")).isEqualTo("zset");
        assertThat(redis.call("ZRANGE", base + "t:chat/a", "0", "-1")).isEqualTo(List.of("2"));
        assertThat(redis.call("ZSCORE", base + "trim", "chat/a")).isEqualTo("1");
        assertThat(redis.call("HLEN", base + "keys")).isEqualTo(0L); // k1 left with message 1
        assertThat(redis.call("TYPE", base + "expiry")).isEqualTo("zset");
        @SuppressWarnings("unchecked")
        List<Object> entry = (List<Object>) ((List<Object>) redis.call("XRANGE", base + "log", "2-1", "2-1")).get(0);
        assertThat(entry.get(0)).isEqualTo("2-1");
        @SuppressWarnings("unchecked")
        List<Object> fields = (List<Object>) entry.get(1);
        assertThat(fields.subList(0, 9)).containsExactly("t", "chat/a", "e", "message", "d", "2", "k", "", "m");
        assertThat(Long.parseLong((String) fields.get(9))).isPositive();
    }

    @Test
    void aMessageTrimmedInItsOwnAppendStillReachesTheListenerAndItsEntryIsDeletedLater() {
        String prefix = freshPrefix("trim");
        RedisLog log = logs.open(options(prefix).retention(RetentionPolicy.of(new Retention(1, Duration.ofDays(1))))
                .build());
        List<Long> seen = new CopyOnWriteArrayList<>();
        log.listen(batch -> batch.forEach(m -> seen.add(m.offset())));
        append(log, draft("t", "a"), draft("t", "b"), draft("t", "c"));
        assertThat(seen).containsExactly(1L, 2L, 3L);
        assertThat(data(log.read(sel("t"), 0, 10).messages())).containsExactly("c");
        assertThat(data(log.read(sel("#"), 0, 10).messages())).containsExactly("c");
        assertThat(data(log.last(sel("+"), 10))).containsExactly("c");
        assertThat(redis.call("XLEN", prefix + "{0}:log")).isEqualTo(3L);
        // Deleted from the stream after a few retention passes.
        assertThat(Logs.await(15, () -> Long.valueOf(1).equals(redis.call("XLEN", prefix + "{0}:log")))).isTrue();
        assertThat(data(log.read(sel("#"), 0, 10).messages())).containsExactly("c");
    }

    @Test
    void manyExactTopicsReadLikeAWildcard() {
        RedisLog log = logs.open(options(freshPrefix("paths")).build());
        List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            drafts.add(draft("room/" + (i % 20), "m" + i));
        }
        log.append(drafts).join();
        List<Selector> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(Selector.of("room/" + i));
        }
        List<Message> exact = log.read(all, 5, 100).messages(); // over 16 topics: the stream scan
        List<Message> few = log.read(all.subList(0, 10), 5, 100).messages(); // the indexes
        assertThat(data(exact)).isEqualTo(data(log.read(sel("room/+"), 5, 100).messages()));
        assertThat(exact).hasSize(35);
        assertThat(few).extracting(m -> m.topic().name()).allMatch(t -> Integer.parseInt(t.substring(5)) < 10);
        assertThat(few).hasSize(15);
        assertThat(data(log.last(all, 3))).containsExactly("m37", "m38", "m39");
        assertThat(data(log.last(all.subList(0, 2), 3))).containsExactly("m1", "m20", "m21");
    }

    @Test
    void readsScanPastManyEntriesInSteps() {
        // Tests run Netty's paranoid leak detector, which slows Lettuce's encoding of large batches tenfold.
        RedisLog log = logs.open(options(freshPrefix("steps")).commandTimeout(Duration.ofSeconds(20)).build());
        for (int batch = 0; batch < 3; batch++) {
            List<Draft> drafts = new ArrayList<>();
            for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
                drafts.add(draft(i % 1000 == 999 ? "rare/x" : "busy/" + (i % 7), Integer.toString(i)));
            }
            log.append(drafts).join();
        }
        assertThat(data(log.read(sel("rare/#"), 0, 10).messages())).containsExactly("999", "1999", "2999");
        assertThat(data(log.last(sel("rare/#"), 2))).containsExactly("1999", "2999");
        assertThat(log.read(sel("#"), 100, 2000).messages()).hasSize(2000)
                .extracting(Message::offset).startsWith(101L, 102L).endsWith(2100L);
    }

    @Test
    void readsOfExactTopicsGoInStepsToo() {
        RedisLog log = logs.open(options(freshPrefix("exact-steps")).commandTimeout(Duration.ofSeconds(20))
                .retention(RetentionPolicy.of(new Retention(5000, Duration.ofDays(1)))).build());
        for (int batch = 0; batch < 3; batch++) {
            List<Draft> drafts = new ArrayList<>();
            for (int i = 0; i < 800; i++) {
                drafts.add(draft(i % 2 == 0 ? "one" : "two", batch + "/" + i));
            }
            log.append(drafts).join();
        }
        assertThat(log.read(sel("one"), 0, 5000).messages()).hasSize(1200).extracting(Message::offset)
                .isSorted().doesNotHaveDuplicates().startsWith(1L).endsWith(2399L);
        assertThat(log.read(sel("one", "two"), 10, 2000).messages()).hasSize(2000).extracting(Message::offset)
                .startsWith(11L).endsWith(2010L);
        assertThat(log.last(sel("two"), 1100)).hasSize(1100).extracting(Message::offset).isSorted()
                .endsWith(2400L).startsWith(2400L - 2 * 1099);
    }

    @Test
    void openingFailsClearlyWhenRedisIsNotThere() throws Exception {
        int unused;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            unused = s.getLocalPort();
        }
        String uri = "redis://:secret@127.0.0.1:" + unused;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RedisLog.open(RedisLogOptions.of(uri)))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith("cannot open the log on redis://127.0.0.1:" + unused + "/0: ")
                .hasMessageNotContaining("secret");
    }

    @Test
    void theEpochAndTheSequenceOutliveTheLogAndAFlushBeginsANewEpoch() {
        String prefix = freshPrefix("epoch");
        RedisLog first = logs.open(options(prefix).build());
        append(first, draft("t", "1"), draft("t", "2"));
        String epoch = first.epoch();
        first.close();
        RedisLog again = logs.open(options(prefix).build());
        assertThat(again.epoch()).isEqualTo(epoch);
        assertThat(again.head()).isEqualTo(2);
        assertThat(append(again, draft("t", "3")).get(0).message().offset()).isEqualTo(3);

        redis.call("FLUSHALL");
        assertThat(Logs.await(5, () -> !again.isWritable())).isTrue();
        assertThat(again.append(List.of(draft("t", "4")))).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(AppendException.class)
                .withMessageContaining("no longer stored").withMessageContaining("open it again");
        RedisLog reborn = logs.open(options(prefix).build());
        assertThat(reborn.epoch()).isNotEqualTo(epoch);
        assertThat(reborn.head()).isZero();
        assertThat(append(reborn, draft("t", "new")).get(0).message().offset()).isEqualTo(1);
    }

    @Test
    void anAppendRunsAgainAfterRedisForgotTheScripts() {
        RedisLog log = logs.open(options(freshPrefix("noscript")).build());
        append(log, draft("t", "1"));
        redis.call("SCRIPT", "FLUSH");
        assertThat(append(log, draft("t", "2")).get(0).message().offset()).isEqualTo(2);
        redis.call("SCRIPT", "FLUSH");
        assertThat(data(log.read(sel("t"), 0, 10).messages())).containsExactly("1", "2");
    }

    @Test
    void refusesWhatRedisCannotKeepWithoutSendingIt() {
        RedisLog log = logs.open(options(freshPrefix("refuse")).maxBatch(2).build());
        assertThat(log.append(List.of(draft("t", "broken \uD800 surrogate"))))
                .failsWithin(Duration.ofSeconds(1)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(IllegalArgumentException.class).withMessageContaining("data of draft 0");
        assertThat(log.append(List.of(draft("t", "1"), draft("t", "2"), draft("t", "3"))))
                .failsWithin(Duration.ofSeconds(1)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().withMessage("drafts: 3 (expected: at most maxBatch 2 per append)");
        assertThat(log.head()).isZero();
    }

    @Test
    void aKeyHeldByAnEarlierDraftOfTheBatchThatRetentionRemovedMayBeUsedAgain() {
        RedisLog log = logs.open(options(freshPrefix("rekey"))
                .retention(RetentionPolicy.of(new Retention(1, Duration.ofDays(1)))).build());
        List<Appended> batch = append(log, keyed("t", "a", "k"), draft("t", "b"), keyed("t", "c", "k"));
        assertThat(batch).extracting(Appended::duplicate).containsExactly(false, false, false);
        assertThat(batch).extracting(a -> a.message().offset()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void headNeverGoesBackAndAppendsCompleteAfterTheListener() throws Exception {
        RedisLog log = logs.open(options(freshPrefix("head")).build());
        List<Long> heads = new CopyOnWriteArrayList<>();
        log.listen(batch -> heads.add(log.head()));
        List<java.util.concurrent.CompletableFuture<List<Appended>>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(log.append(List.of(draft("t/" + (i % 3), "m" + i))));
        }
        for (var f : futures) {
            long offset = f.get(10, TimeUnit.SECONDS).get(0).message().offset();
            assertThat(log.head()).isGreaterThanOrEqualTo(offset);
        }
        assertThat(heads).isSorted();
        assertThat(log.head()).isEqualTo(200);
    }
}
