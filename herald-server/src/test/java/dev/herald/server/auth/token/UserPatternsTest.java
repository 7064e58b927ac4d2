package dev.herald.server.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Selector;
import dev.herald.server.auth.Permissions;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserPatternsTest {
    private static List<Selector> selectors(String... patterns) {
        return java.util.Arrays.stream(patterns).map(Selector::of).toList();
    }

    @Test
    void fillsThePlaceholderWithTheUser() {
        Permissions p = UserPatterns.forUser(List.of("user/{sub}/outbox"), List.of("user/{sub}/#", "chat/+"),
                "alice");

        assertThat(p.publish()).containsExactly(Selector.of("user/alice/outbox"));
        assertThat(p.subscribe()).containsExactly(Selector.of("user/alice/#"), Selector.of("chat/+"));
    }

    @Test
    void fillsAnAppsSelectors() {
        Permissions app = new Permissions(selectors("chat/#"), selectors("chat/#", "user/{sub}/#"));

        assertThat(UserPatterns.forUser(app, "bob").subscribe())
                .containsExactly(Selector.of("chat/#"), Selector.of("user/bob/#"));
        assertThatThrownBy(() -> UserPatterns.forUser(app, "a/b/c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot fill {sub} in subscribe[1]");
    }

    @Test
    void permissionsWithoutThePlaceholderAreReturnedAsTheyAre() {
        Permissions app = new Permissions(selectors("chat/#"), selectors("chat/#"));

        assertThat(UserPatterns.forUser(app, "a/b")).isSameAs(app);
        assertThat(UserPatterns.forAnyUser(app)).isSameAs(app);
    }

    @Test
    void anyUserIsAWildcardSegment() {
        Permissions app = new Permissions(selectors("user/{sub}/outbox"), selectors("user/{sub}/#"));

        assertThat(UserPatterns.forAnyUser(app))
                .isEqualTo(new Permissions(selectors("user/+/outbox"), selectors("user/+/#")));
    }

    @Test
    void placeholderMustBeAWholeSegment() {
        assertThatThrownBy(() -> UserPatterns.template("access.apps[0].subscribe[1]", "inbox-{sub}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("access.apps[0].subscribe[1]: 'inbox-{sub}' has {sub} inside a segment (expected: {sub} "
                        + "alone between '/', e.g. user/{sub}/#)");
        assertThat(UserPatterns.template("p", "user/{sub}/#")).isEqualTo(Selector.of("user/{sub}/#"));
        assertThatThrownBy(() -> UserPatterns.template("p", "user/#/{sub}")).hasMessageStartingWith("p: selector:");
    }

    @Test
    void onlyPlainSegmentsCanFillThePlaceholder() {
        assertThat(UserPatterns.canFill("alice")).isTrue();
        assertThat(UserPatterns.canFill("alice@example.com")).isTrue();
        assertThat(UserPatterns.canFill("..")).isTrue(); // no special meaning in a topic
        for (String user : List.of("", "a/b", "+", "#", "a+", "b#", "a\nb", "a\u007fb")) {
            assertThat(UserPatterns.canFill(user)).as(user).isFalse();
        }
    }

    @Test
    void filledPatternMustStillBeASelector() {
        assertThatThrownBy(() -> UserPatterns.selector("subscribe[0]", "user/{sub}/#", "x".repeat(300)))
                .hasMessageStartingWith("subscribe[0]: selector: 307 bytes");
    }
}
