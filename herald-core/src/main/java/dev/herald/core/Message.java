package dev.herald.core;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.function.Function;

/**
 * A message as the {@link Log} keeps it: immutable, with the offset the log gave it.
 *
 * <p>A message carries a small cache of its wire encodings ({@link #encoded}) so that a message delivered to
 * ten thousand subscribers is encoded once per wire format, not once per subscriber.
 */
public final class Message {
    /** The event type of a message published without one: the SSE default. */
    public static final String DEFAULT_EVENT = "message";

    private final long offset;
    private final Topic topic;
    private final String event;
    private final String data;
    private final long time;
    private final String key;

    // Pairs of (encoding, encoded form). Racing writers compute equal values, so a lost update only costs work.
    private volatile Object[] encodings = new Object[0];

    /**
     * @param offset the position in the log, from 1
     * @param time when the log accepted it, in milliseconds since the epoch
     * @param key the publisher's idempotency key, or "" for none
     */
    public Message(long offset, Topic topic, String event, String data, long time, String key) {
        if (offset < 1) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 1)");
        }
        this.offset = offset;
        this.topic = requireNonNull(topic, "topic");
        this.event = requireNonNull(event, "event");
        this.data = requireNonNull(data, "data");
        this.time = time;
        this.key = requireNonNull(key, "key");
    }

    public long offset() {
        return offset;
    }

    public Topic topic() {
        return topic;
    }

    public String event() {
        return event;
    }

    public String data() {
        return data;
    }

    public long time() {
        return time;
    }

    /** The publisher's idempotency key, or "" when it gave none. */
    public String key() {
        return key;
    }

    /**
     * This message in {@code encoding}, computed on first use and shared afterwards. The function must be
     * pure and its result immutable or safely shareable: it is handed to every caller with the same encoding.
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Function<Message, T> encoding) {
        Object[] e = encodings;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i] == encoding) {
                return (T) e[i + 1];
            }
        }
        T value = encoding.apply(this);
        Object[] grown = Arrays.copyOf(e, e.length + 2);
        grown[e.length] = encoding;
        grown[e.length + 1] = value;
        encodings = grown;
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && m.offset == offset && m.time == time && m.topic.equals(topic)
                && m.event.equals(event) && m.data.equals(data) && m.key.equals(key);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(offset);
    }

    @Override
    public String toString() {
        return "Message{" + offset + " " + topic + " " + event + " " + data.length() + " chars}";
    }
}
