package dev.herald.core;

import static java.util.Objects.requireNonNull;

/**
 * A message as a publisher hands it to the {@link Hub}: not yet in the log, so without offset or time.
 *
 * @param event the event type; {@link Message#DEFAULT_EVENT} when the publisher named none
 * @param key the idempotency key, or "" for none: a draft whose key the topic already holds within its
 *     retention is not stored again
 */
public record Draft(Topic topic, String event, String data, String key) {
    public Draft {
        requireNonNull(topic, "topic");
        requireNonNull(event, "event");
        requireNonNull(data, "data");
        requireNonNull(key, "key");
    }

    public static Draft of(Topic topic, String data) {
        return new Draft(topic, Message.DEFAULT_EVENT, data, "");
    }

    public Message toMessage(long offset, long time) {
        return new Message(offset, topic, event, data, time, key);
    }
}
