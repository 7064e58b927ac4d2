package dev.herald.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The selectors of one read, applied to stored message values by their topic alone. Remembers each topic name
 * it has seen, so that a scan over many messages of few topics builds and matches each topic once. Not
 * thread-safe: one per read.
 */
final class TopicFilter {
    private static final int REMEMBERED = 1024;

    private final Collection<Selector> selectors;
    private final Map<ByteBuffer, Optional<Topic>> seen = new HashMap<>();

    TopicFilter(Collection<Selector> selectors) {
        this.selectors = selectors;
    }

    /**
     * The topic of a message value when a selector matches it, else {@code null}. {@code bytes} may hold only
     * the value's first {@code size} bytes, as long as they hold the topic (see {@link Layout#MESSAGE_HEAD_BYTES}).
     */
    Topic match(byte[] bytes, int size) {
        int start = Layout.topicStart(bytes, size);
        int length = Layout.topicLength(bytes, size);
        Optional<Topic> topic = seen.get(ByteBuffer.wrap(bytes, start, length).slice());
        if (topic == null) {
            Topic t = new Topic(new String(bytes, start, length, UTF_8));
            topic = Selector.anyMatches(selectors, t) ? Optional.of(t) : Optional.empty();
            if (seen.size() < REMEMBERED) {
                seen.put(ByteBuffer.wrap(Layout.utf8(t.name())), topic);
            }
        }
        return topic.orElse(null);
    }
}
