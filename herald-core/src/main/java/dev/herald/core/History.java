package dev.herald.core;

import java.util.List;

/**
 * A page of messages read from the {@link Log}.
 *
 * @param messages in offset order
 * @param trimmedThrough the highest offset that retention removed from a topic the read covered, 0 if none:
 *     when it is greater than the position read from, the history no longer reaches back that far and messages
 *     were lost to that reader
 */
public record History(List<Message> messages, long trimmedThrough) {
    public History {
        messages = List.copyOf(messages);
    }

    /** Whether messages after {@code after} were removed before this read could return them. */
    public boolean isTruncatedAfter(long after) {
        return trimmedThrough > after;
    }
}
