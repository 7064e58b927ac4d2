package dev.herald.redis;

import static dev.herald.redis.Logs.freshPrefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Topic;
import dev.herald.redis.RedisRoster.Seat;
import dev.herald.redis.RedisRoster.Turnover;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The presence scripts, as two nodes (two logs on one Redis) share them. */
class RedisRosterTest {
    private static final Topic LOBBY = Topic.of("chat/lobby");
    private static final Duration LONG = Duration.ofMinutes(5);

    @RegisterExtension
    static final RedisServer redis = RedisServer.ephemeral();

    private final Logs logs = new Logs();

    @AfterEach
    void close() {
        logs.close();
    }

    private RedisLog node(String prefix) {
        return logs.open(RedisLogOptions.builder(redis.uri()).prefix(prefix).build());
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aUserArrivesWithItsFirstSeatOnAnyNodeAndLeavesWithItsLast() throws Exception {
        String prefix = freshPrefix("roster");
        RedisRoster a = node(prefix).roster();
        RedisRoster b = node(prefix).roster();
        assertThat(get(a.seat(LOBBY, LONG, List.of(new Seat("a/1", "alice"), new Seat("a/2", "alice")))))
                .isEqualTo(new Turnover(List.of(), List.of("alice")));
        assertThat(get(b.seat(LOBBY, LONG, List.of(new Seat("b/1", "alice"), new Seat("b/2", "bob")))))
                .isEqualTo(new Turnover(List.of(), List.of("bob")));
        assertThat(get(a.seat(LOBBY, LONG, List.of(new Seat("a/1", "alice"))))).as("seated again: a refresh")
                .isEqualTo(new Turnover(List.of(), List.of()));
        assertThat(get(b.roll(LOBBY)).present()).containsExactlyInAnyOrder("alice", "bob");

        assertThat(get(a.unseat(LOBBY, List.of(new Seat("a/1", "alice"), new Seat("a/2", "alice"))))
                .left()).isEmpty();
        assertThat(get(a.unseat(LOBBY, List.of(new Seat("a/1", "alice")))).left()).as("not held: nothing")
                .isEmpty();
        assertThat(get(b.unseat(LOBBY, List.of(new Seat("b/1", "alice")))).left()).containsExactly("alice");
        assertThat(get(b.unseat(LOBBY, List.of(new Seat("b/2", "bob")))).left()).containsExactly("bob");

        Keys keys = Keys.of(prefix, 0);
        assertThat(redis.call("EXISTS", keys.seats(LOBBY), keys.seated(LOBBY))).as("nothing left behind")
                .isEqualTo(0L);
        assertThat(redis.call("ZCARD", keys.presenceDue())).isEqualTo(0L);
        assertThat(get(a.roll(LOBBY)).present()).isEmpty();
    }

    @Test
    void seatsThatRunOutAreSweptOnceAndTheirUsersToldAsLeavingByThatSweepAlone() throws Exception {
        String prefix = freshPrefix("sweep");
        RedisRoster a = node(prefix).roster();
        RedisRoster b = node(prefix).roster();
        Topic ops = Topic.of("chat/ops");
        get(a.seat(LOBBY, Duration.ofMillis(50), List.of(new Seat("a/1", "carol"))));
        get(b.seat(LOBBY, LONG, List.of(new Seat("b/1", "dave"))));
        get(a.seat(ops, Duration.ofMillis(50), List.of(new Seat("a/2", "carol"))));

        assertThat(Logs.await(5, () -> b.due(10).join().size() == 2)).as("both topics due").isTrue();
        assertThat(get(b.due(1))).hasSize(1);
        assertThat(get(b.sweep(LOBBY)).left()).containsExactly("carol");
        assertThat(get(a.sweep(LOBBY)).left()).as("swept once").isEmpty();
        assertThat(get(b.roll(ops))).as("a roll sweeps too")
                .isEqualTo(new RedisRoster.Roll(List.of(), List.of("carol")));
        assertThat(get(a.due(10))).isEmpty();
        assertThat(get(a.roll(LOBBY)).present()).containsExactly("dave");

        Keys keys = Keys.of(prefix, 0);
        for (String key : List.of(keys.seats(LOBBY), keys.seated(LOBBY), keys.presenceDue())) {
            assertThat((Long) redis.call("PTTL", key)).as(key + ": a minute after its last seat runs out")
                    .isBetween(LONG.toMillis(), LONG.toMillis() + 61_000);
        }
    }

    @Test
    void aSeatHeldAlreadyKeepsTheLaterEnd() throws Exception {
        String prefix = freshPrefix("lease");
        RedisRoster a = node(prefix).roster();
        Seat lease = new Seat("polls", "paula");
        get(a.seat(LOBBY, LONG, List.of(lease)));
        Keys keys = Keys.of(prefix, 0);
        String end = (String) redis.call("ZSCORE", keys.seats(LOBBY), lease.member());
        assertThat(get(a.seat(LOBBY, Duration.ofSeconds(15), List.of(lease))).arrived()).isEmpty();
        assertThat(redis.call("ZSCORE", keys.seats(LOBBY), lease.member())).as("not shortened").isEqualTo(end);
    }
}
