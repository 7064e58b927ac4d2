package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsAndSelectorsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "chat/room-42", "meters/m-17/reading", "\u4e2d\u6587/\uD83D\uDE00", "a b/c.d_e~f"})
    void acceptsTopics(String name) {
        assertThat(Topic.of(name).name()).isEqualTo(name);
    }

    @Test
    void refusesBadTopicsWithAReason() {
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("")).withMessageContaining("expected");
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("/a")).withMessageContaining("empty segment");
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("a/")).withMessageContaining("empty segment");
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("a//b")).withMessageContaining("empty segment");
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("a/+")).withMessageContaining("wildcard");
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("a#")).withMessageContaining("wildcard");
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("a\nb")).withMessageContaining("control");
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("a\uD800")).withMessageContaining("surrogate");
    }

    @Test
    void topicLengthIsBoundedInUtf8Bytes() {
        assertThat(Topic.of("x".repeat(Topic.MAX_BYTES)).name()).hasSize(256);
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("x".repeat(Topic.MAX_BYTES + 1)))
                .withMessageContaining("257 bytes");
        // 86 three-byte characters are 258 bytes.
        assertThatIllegalArgumentException().isThrownBy(() -> Topic.of("\u4e2d".repeat(86)));
    }

    @ParameterizedTest
    @CsvSource({
        "a, a, true", "a, b, false", "a/b, a/b, true", "a/b, a/b/c, false", "a/b/c, a/b, false",
        "+, a, true", "+, a/b, false", "a/+, a/b, true", "a/+, a, false", "a/+, a/b/c, false",
        "+/b, a/b, true", "+/+, a/b, true", "a/+/c, a/x/c, true", "a/+/c, a/x/d, false",
        "#, a, true", "#, a/b/c, true", "a/#, a, true", "a/#, a/b, true", "a/#, a/b/c, true", "a/#, ab, false",
        "a/#, b/a, false", "a/+/#, a/b, true", "a/+/#, a/b/c/d, true", "a/+/#, a, false",
        "ab, a, false", "a, ab, false", "chat/room, chat/room-1, false"
    })
    void selectorsMatchLikeMqtt(String pattern, String topic, boolean matches) {
        assertThat(Selector.of(pattern).matches(Topic.of(topic))).isEqualTo(matches);
        // The hub's index must agree with the selector.
        SubscriptionIndex index = new SubscriptionIndex();
        Subscription marker = new Subscription(null, List.of(Selector.of(pattern)), Hub.EVERY_TOPIC, Hub.NO_TOPIC,
                new Subscriber() {
            @Override
            public java.util.concurrent.Executor executor() {
                return Runnable::run;
            }

            @Override
            public boolean isWritable() {
                return true;
            }

            @Override
            public void onMessages(List<Message> messages) {
            }

            @Override
            public void onStart(Cursor position) {
            }

            @Override
            public void onCaughtUp() {
            }

            @Override
            public void onTruncated(Cursor requested) {
            }

            @Override
            public void onFailure(Throwable cause) {
            }
        });
        index.add(Selector.of(pattern), marker);
        List<Subscription> found = new java.util.ArrayList<>();
        index.collect(Topic.of(topic), found::add);
        assertThat(found.contains(marker)).isEqualTo(matches);
        index.remove(Selector.of(pattern), marker);
        assertThat(index.isEmpty()).isTrue();
    }

    @Test
    void refusesBadSelectors() {
        assertThatIllegalArgumentException().isThrownBy(() -> Selector.of("a/#/b")).withMessageContaining("last");
        assertThatIllegalArgumentException().isThrownBy(() -> Selector.of("a+/b")).withMessageContaining("alone");
        assertThatIllegalArgumentException().isThrownBy(() -> Selector.of("a/b#")).withMessageContaining("alone");
        assertThatIllegalArgumentException().isThrownBy(() -> Selector.of("")).withMessageContaining("expected");
    }

    @Test
    void exactSelectorsNameTheirTopic() {
        assertThat(Selector.of("a/b").exactTopic()).contains(Topic.of("a/b"));
        assertThat(Selector.of("a/+").exactTopic()).isEmpty();
    }

    @Test
    void cursorsRoundTripAndRefuseGarbage() {
        Cursor c = Cursor.parse("3f9a0c1b-42");
        assertThat(c).isEqualTo(new Cursor("3f9a0c1b", 42));
        assertThat(c.token()).isEqualTo("3f9a0c1b-42");
        for (String bad : new String[] {"", "42", "-42", "abc-", "ABC-1", "abc-1-2", "abc-x", "abc-99999999999999999999",
                "a".repeat(17) + "-1", "abc- 1", "abc-1\n"}) {
            assertThatIllegalArgumentException().as(bad).isThrownBy(() -> Cursor.parse(bad))
                    .withMessageContaining("cursor");
        }
    }
}
