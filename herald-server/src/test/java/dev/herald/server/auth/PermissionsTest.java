package dev.herald.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PermissionsTest {
    private static Selector s(String p) {
        return Selector.of(p);
    }

    @ParameterizedTest
    @CsvSource({
        "a/b, a/b, true", "a/b, a/c, false", "a/+, a/b, true", "+/b, a/+, true", "a/#, a, true", "a/#, b, false",
        "#, x/y/z, true", "a/+, a, false", "a/+/c, a/b/+, true", "a/+/c, a/b/d, false", "a, a/b, false",
        "a/+, a/b/c, false", "a/+/#, a, false", "a/+/#, a/b, true", "user/+/inbox, user/alice/#, true"
    })
    void overlapMeansSomeTopicMatchesBoth(String a, String b, boolean overlap) {
        assertThat(Permissions.overlap(s(a), s(b))).isEqualTo(overlap);
        assertThat(Permissions.overlap(s(b), s(a))).isEqualTo(overlap);
    }

    @ParameterizedTest
    @CsvSource({
        "#, a/b, true", "a/#, a, true", "a/#, a/b/c, true", "a/+, a/b, true", "a/+, a/#, false", "a/b, a/+, false",
        "+/+, a/b, true", "+/+, a/+, true", "a/+, a/+, true", "a/#, a/+/#, true", "a/+/#, a/#, false", "a, a/#, false"
    })
    void coverMeansEveryTopicOfTheInnerMatchesTheOuter(String outer, String inner, boolean covers) {
        assertThat(Permissions.covers(s(outer), s(inner))).isEqualTo(covers);
    }

    @Test
    void narrowingKeepsExactlyTheTopicsBothPermit() {
        // Checked against brute force over a universe of small topics.
        List<String> patterns = List.of("#", "a/#", "a/+", "+/b", "a/b", "+/+/c", "a/+/#", "b/#", "+", "a", "+/#");
        List<String> segments = List.of("a", "b", "c");
        List<Topic> universe = new java.util.ArrayList<>();
        for (String x : segments) {
            universe.add(Topic.of(x));
            for (String y : segments) {
                universe.add(Topic.of(x + "/" + y));
                for (String z : segments) {
                    universe.add(Topic.of(x + "/" + y + "/" + z));
                }
            }
        }
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            Permissions inner = new Permissions(List.of(), pick(patterns, random));
            Permissions outer = new Permissions(List.of(), pick(patterns, random));
            Permissions narrowed = inner.within(outer);
            for (Topic t : universe) {
                assertThat(narrowed.mayRead(t)).as("%s within %s reads %s", inner.subscribe(), outer.subscribe(), t)
                        .isEqualTo(inner.mayRead(t) && outer.mayRead(t));
            }
        }
    }

    private static List<Selector> pick(List<String> patterns, Random random) {
        List<Selector> chosen = new java.util.ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            chosen.add(Selector.of(patterns.get(random.nextInt(patterns.size()))));
        }
        return chosen;
    }

    @Test
    void aWildcardSubscriptionIsAllowedWhenItReachesSomePermittedTopic() {
        Permissions p = new Permissions(List.of(), List.of(s("chat/#"), s("user/alice/#")));
        assertThat(p.mayReadSomeOf(s("#"))).isTrue();
        assertThat(p.mayReadAllOf(s("#"))).isFalse();
        assertThat(p.mayReadSomeOf(s("user/+/inbox"))).isTrue();
        assertThat(p.mayReadAllOf(s("user/+/inbox"))).isFalse();
        assertThat(p.mayReadAllOf(s("chat/+"))).isTrue();
        assertThat(p.mayReadSomeOf(s("admin/#"))).isFalse();
        assertThat(p.mayRead(Topic.of("user/bob/inbox"))).isFalse();
    }
}
