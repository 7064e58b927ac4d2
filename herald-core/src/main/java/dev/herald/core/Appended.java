package dev.herald.core;

/**
 * What became of one {@link Draft}: the message the log holds for it, and whether that message was already
 * there (a draft whose idempotency key the topic held), in which case nothing new was stored.
 */
public record Appended(Message message, boolean duplicate) {
}
