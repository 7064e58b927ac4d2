package dev.herald.server.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Selector;
import dev.herald.core.Topic;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryPresenceTest {
    private static final Topic LOBBY = Topic.of("chat/lobby");
    private static final Topic OPS = Topic.of("chat/ops");

    private final List<String> changes = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final MemoryPresence presence = new MemoryPresence(new Presence.Changes() {
        @Override
        public void joined(Topic topic, String user) {
            changes.add("+" + user + "@" + topic);
        }

        @Override
        public void left(Topic topic, String user) {
            changes.add("-" + user + "@" + topic);
        }
    }, now::get);

    private List<String> list(Topic topic) {
        return presence.list(topic).toCompletableFuture().join();
    }

    @Test
    void aUserWithThreeTabsIsOneUserThatLeavesWithItsLastTab() {
        presence.join(LOBBY, "alice", "tab-1");
        presence.join(LOBBY, "alice", "tab-2");
        presence.join(LOBBY, "alice", "tab-3");
        presence.join(LOBBY, "bob", "tab-4");
        assertThat(list(LOBBY)).containsExactly("alice", "bob");
        assertThat(changes).containsExactly("+alice@chat/lobby", "+bob@chat/lobby");

        presence.leave(LOBBY, "alice", "tab-1");
        presence.leave(LOBBY, "alice", "tab-2");
        presence.leave(LOBBY, "alice", "tab-2"); // twice: counted once
        assertThat(list(LOBBY)).containsExactly("alice", "bob");
        presence.leave(LOBBY, "alice", "tab-3");
        assertThat(list(LOBBY)).containsExactly("bob");
        assertThat(changes).containsExactly("+alice@chat/lobby", "+bob@chat/lobby", "-alice@chat/lobby");

        presence.leave(LOBBY, "mallory", "tab-9"); // never joined: nothing
        presence.leave(LOBBY, "bob", "tab-4");
        assertThat(list(LOBBY)).isEmpty();
        assertThat(presence.topics()).isZero();
        assertThat(changes).hasSize(4).last().isEqualTo("-bob@chat/lobby");
    }

    @Test
    void topicsAreSeparateAndNamesSortAsAPersonReadsThem() {
        presence.join(LOBBY, "carol", "c");
        presence.join(LOBBY, "Bob", "b");
        presence.join(LOBBY, "alice", "a");
        presence.join(OPS, "alice", "a2");
        assertThat(list(LOBBY)).containsExactly("alice", "Bob", "carol");
        assertThat(list(OPS)).containsExactly("alice");
        assertThat(list(Topic.of("chat/empty"))).isEmpty();
    }

    @Test
    void aPollerIsPresentUntilItsLeaseRunsOutAndAConnectionOutlastsIt() {
        presence.touch(LOBBY, "paula", Duration.ofSeconds(55));
        presence.touch(LOBBY, "paula", Duration.ofSeconds(15)); // a shorter lease does not shorten the first
        assertThat(changes).containsExactly("+paula@chat/lobby");
        now.addAndGet(54_000);
        presence.sweep();
        assertThat(list(LOBBY)).containsExactly("paula");
        now.addAndGet(2_000);
        assertThat(list(LOBBY)).isEmpty(); // over, even before the sweep says so
        presence.sweep();
        assertThat(changes).containsExactly("+paula@chat/lobby", "-paula@chat/lobby");

        // Polling and streaming at once: the lease's end does not end the stream's presence, nor the reverse.
        presence.touch(LOBBY, "sam", Duration.ofSeconds(15));
        presence.join(LOBBY, "sam", "stream");
        now.addAndGet(20_000);
        presence.sweep();
        assertThat(list(LOBBY)).containsExactly("sam");
        presence.touch(LOBBY, "sam", Duration.ofSeconds(15));
        presence.leave(LOBBY, "sam", "stream");
        assertThat(list(LOBBY)).containsExactly("sam");
        now.addAndGet(16_000);
        presence.sweep();
        assertThat(list(LOBBY)).isEmpty();
        assertThat(changes).containsExactly("+paula@chat/lobby", "-paula@chat/lobby", "+sam@chat/lobby",
                "-sam@chat/lobby");
    }

    @Test
    void attendanceCountsIdentifiedUsersOnExactTrackedTopicsOnly() {
        Attendance attendance = new Attendance(presence, topic -> Selector.of("chat/#").matches(topic));
        App app = new App("chat", "HKCHATAPPKEY00000001", "x".repeat(43),
                new Permissions(List.of(Selector.of("#")), List.of(Selector.of("#"))), List.of(), 0, List.of());
        Principal alice = new Principal(Optional.of(app), Optional.of("alice"), app.permissions(),
                Optional.of(Instant.now().plusSeconds(60)));

        Attendance.Seat seat = attendance.join(alice, List.of(Selector.of("chat/lobby"), Selector.of("chat/+"),
                Selector.of("news/today")), "c1");
        assertThat(list(LOBBY)).containsExactly("alice");
        assertThat(changes).containsExactly("+alice@chat/lobby"); // the wildcard and the untracked topic: nothing

        assertThat(attendance.join(Principal.of(app), List.of(Selector.of("chat/ops")), "c2"))
                .isSameAs(Attendance.Seat.NONE); // the app itself is nobody
        assertThat(attendance.join(Principal.anonymous(Permissions.NONE), List.of(Selector.of("chat/ops")), "c3"))
                .isSameAs(Attendance.Seat.NONE);

        seat.leave();
        seat.leave();
        assertThat(changes).containsExactly("+alice@chat/lobby", "-alice@chat/lobby");

        attendance.poll(alice, List.of(Selector.of("chat/ops")), Duration.ZERO);
        now.addAndGet(Attendance.MIN_LEASE.toMillis() - 1);
        presence.sweep();
        assertThat(list(OPS)).containsExactly("alice");
        now.addAndGet(1);
        presence.sweep();
        assertThat(list(OPS)).isEmpty();

        attendance.poll(alice, List.of(Selector.of("chat/ops")), Duration.ofSeconds(25));
        now.addAndGet(54_999);
        presence.sweep();
        assertThat(list(OPS)).as("2 x 25 s + 5 s").containsExactly("alice");
    }
}
