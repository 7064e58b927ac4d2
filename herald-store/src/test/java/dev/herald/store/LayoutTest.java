package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Message;
import dev.herald.core.Topic;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LayoutTest {
    @Test
    void offsetKeysSortAsNumbers() {
        long[] offsets = {1, 255, 256, 65_536, 1L << 40, Long.MAX_VALUE};
        for (int i = 1; i < offsets.length; i++) {
            assertThat(Arrays.compareUnsigned(Layout.offsetKey(offsets[i - 1]), Layout.offsetKey(offsets[i])))
                    .isNegative();
            assertThat(Layout.offsetOf(Layout.offsetKey(offsets[i]))).isEqualTo(offsets[i]);
        }
    }

    @Test
    void aMessageRoundTrips() {
        Topic topic = Topic.of("chat/\u00e9/" + "x".repeat(240));
        byte[] name = Layout.utf8(topic.name());
        Message m = new Message(42, topic, "e".repeat(300), "data\u0000\r\n\uD83D\uDE00", 1_700_000_000_123L,
                "k".repeat(20_000));
        byte[] value = Layout.encodeMessage(m, name);
        assertThat(value[0]).isEqualTo(Layout.FORMAT);
        assertThat(Layout.topicLength(value, value.length)).isEqualTo(name.length);
        assertThat(Layout.decodeMessage(42, value, topic)).isEqualTo(m);
        // A scan reads only the head of a value: it holds the topic, even of the longest name.
        byte[] head = Arrays.copyOf(value, Layout.MESSAGE_HEAD_BYTES);
        assertThat(new TopicFilter(Logs.sel("chat/#")).match(head, head.length)).isEqualTo(topic);
        assertThat(new TopicFilter(Logs.sel("other")).match(head, head.length)).isNull();
    }

    @Test
    void anEmptyMessageRoundTrips() {
        Message m = new Message(1, Topic.of("t"), "", "", 0, "");
        assertThat(Layout.decodeMessage(1, Layout.encodeMessage(m, Layout.utf8("t")), Topic.of("t"))).isEqualTo(m);
    }

    @Test
    void anUnknownFormatIsRefused() {
        byte[] value = Layout.encodeMessage(new Message(1, Topic.of("t"), "e", "d", 0, ""), Layout.utf8("t"));
        value[0] = 9;
        assertThatThrownBy(() -> Layout.decodeMessage(1, value, Topic.of("t")))
                .isInstanceOf(IllegalStateException.class).hasMessage("message value: format 9 (expected: 1)");
    }

    @Test
    void topicKeysOfOneTopicShareAPrefixNoOtherTopicHas() {
        byte[] a = Layout.utf8("a");
        byte[] key = Layout.topicKey(a, 7);
        assertThat(Layout.isTopicKeyOf(key, a)).isTrue();
        assertThat(Layout.isTopicKeyOf(Layout.topicKey(Layout.utf8("a/b"), 7), a)).isFalse();
        assertThat(Layout.isTopicKeyOf(Layout.topicKey(Layout.utf8("ab"), 7), a)).isFalse();
        assertThat(Layout.offsetOfTopicKey(key)).isEqualTo(7);
        assertThat(Layout.topicNameOf(key)).isEqualTo(a);
    }
}
