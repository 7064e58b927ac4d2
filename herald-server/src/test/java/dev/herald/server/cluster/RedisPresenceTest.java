package dev.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Topic;
import dev.herald.redis.RedisLog;
import dev.herald.redis.RedisLogOptions;
import dev.herald.redis.RedisServer;
import dev.herald.server.presence.Presence;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence shared by two nodes on one real Redis: each node is a log of its own with a {@link RedisPresence} of
 * its own, refreshing and sweeping on its timers. A node's calls are answered in order, so listing on a node
 * waits for its joins and leaves before, and for what they told.
 */
class RedisPresenceTest {
    private static final Topic LOBBY = Topic.of("chat/lobby");
    /** Short, so that a crash shows soon: a seat lasts 0.9 s unless refreshed. */
    private static final Duration REFRESH = Duration.ofMillis(300);
    private static final AtomicInteger prefixes = new AtomicInteger();

    @RegisterExtension
    static final RedisServer redis = RedisServer.ephemeral();

    private final String prefix = "presence-" + prefixes.incrementAndGet() + ":";
    /** What every node told, as {@code a +alice@chat/lobby}: node, arrival or departure, user, topic. */
    private final List<String> told = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws Exception {
        redis.start();
        timers.shutdownNow();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private RedisPresence node(String name) throws IOException {
        RedisLog log = RedisLog.open(RedisLogOptions.builder(redis.uri()).prefix(prefix)
                .commandTimeout(Duration.ofMillis(500)).build());
        open.add(log);
        RedisPresence presence = new RedisPresence(log.roster(), new Presence.Changes() {
            @Override
            public void joined(Topic topic, String user) {
                told.add(name + " +" + user + "@" + topic);
            }

            @Override
            public void left(Topic topic, String user) {
                told.add(name + " -" + user + "@" + topic);
            }
        }, name, REFRESH);
        open.add(presence);
        presence.start(timers);
        return presence;
    }

    private static List<String> list(Presence presence) throws Exception {
        return presence.list(LOBBY).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** What was told, whichever node told it. */
    private List<String> announced() {
        return told.stream().map(t -> t.substring(t.indexOf(' ') + 1)).toList();
    }

    private static boolean await(long seconds, Check check) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - deadline < 0) {
            try {
                if (check.holds()) {
                    return true;
                }
            } catch (Exception e) {
                // not yet
            }
            Thread.sleep(20);
        }
        return false;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    @Test
    void aUserOnTwoNodesIsListedOnceAnnouncedOnceAndLeavesWithItsLastConnectionAnywhere() throws Exception {
        RedisPresence a = node("a");
        RedisPresence b = node("b");
        a.join(LOBBY, "alice", "tab-1");
        b.join(LOBBY, "alice", "tab-2");
        b.join(LOBBY, "Bob", "tab-3");
        list(a); // a's join is done; b's may not be, on a connection of its own
        assertThat(list(b)).containsExactly("alice", "Bob");
        assertThat(list(a)).containsExactly("alice", "Bob");
        assertThat(announced()).containsExactlyInAnyOrder("+alice@chat/lobby", "+Bob@chat/lobby");

        a.leave(LOBBY, "alice", "tab-1");
        a.leave(LOBBY, "alice", "tab-1"); // twice: counted once
        assertThat(list(a)).as("her tab on b holds her").containsExactly("alice", "Bob");
        assertThat(announced()).hasSize(2);

        b.leave(LOBBY, "alice", "tab-2");
        assertThat(list(b)).containsExactly("Bob");
        assertThat(list(a)).containsExactly("Bob");
        assertThat(announced()).hasSize(3).last().isEqualTo("-alice@chat/lobby");
        assertThat(told).last().isEqualTo("b -alice@chat/lobby");
    }

    @Test
    void aCrashedNodesUsersLeaveWhenTheirSeatsRunOutAnnouncedOnceByTheNodeThatSweptThem() throws Exception {
        RedisPresence a = node("a");
        RedisPresence b = node("b");
        a.join(LOBBY, "carol", "tab-1");
        assertThat(list(a)).containsExactly("carol");
        b.join(LOBBY, "dave", "tab-2");
        assertThat(list(b)).containsExactly("carol", "dave");

        a.close(); // as a crash: it takes no seat away and refreshes no more
        assertThat(await(15, () -> told.contains("b -carol@chat/lobby"))).as("b announced carol leaving: " + told)
                .isTrue();
        assertThat(list(b)).as("b refreshes dave's seat").containsExactly("dave");
        assertThat(told).containsExactlyInAnyOrder("a +carol@chat/lobby", "b +dave@chat/lobby",
                "b -carol@chat/lobby");
    }

    @Test
    void aPollLeaseHoldsAUserOnEveryNodeUntilItRunsOut() throws Exception {
        RedisPresence a = node("a");
        RedisPresence b = node("b");
        a.touch(LOBBY, "paula", Duration.ofSeconds(2));
        assertThat(list(a)).containsExactly("paula");
        b.touch(LOBBY, "paula", Duration.ofSeconds(1)); // her next poll, on the other node: the same lease
        assertThat(list(b)).containsExactly("paula");
        assertThat(announced()).containsExactly("+paula@chat/lobby");

        assertThat(await(15, () -> announced().contains("-paula@chat/lobby"))).as("lease ran out").isTrue();
        assertThat(list(a)).isEmpty();
        assertThat(announced()).containsExactly("+paula@chat/lobby", "-paula@chat/lobby");
    }

    @Test
    void whileRedisIsDownCallsFailSoftAndTheRefreshSeatsTheNodesConnectionsAgainWhenItIsBack() throws Exception {
        RedisPresence a = node("a");
        a.join(LOBBY, "erin", "tab-1");
        assertThat(list(a)).containsExactly("erin");

        redis.stop(); // SIGKILL, and no persistence: Redis comes back empty
        a.join(LOBBY, "frank", "tab-2");
        a.leave(LOBBY, "erin", "tab-1");
        a.touch(LOBBY, "gina", Duration.ofSeconds(30));
        assertThatThrownBy(() -> list(a)).isInstanceOf(ExecutionException.class);

        redis.start();
        assertThat(await(15, () -> list(a).equals(List.of("frank")))).as("frank seated again").isTrue();
        assertThat(announced()).containsExactly("+erin@chat/lobby", "+frank@chat/lobby");
    }
}
