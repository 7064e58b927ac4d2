package dev.herald.core;

import java.time.Duration;

/**
 * How much of one topic's history the log keeps: at most {@code maxCount} messages, none older than
 * {@code maxAge}. Whichever bound is reached first removes the oldest messages.
 */
public record Retention(int maxCount, Duration maxAge) {
    /** Keeps 1,000 messages per topic for at most 24 hours. */
    public static final Retention DEFAULT = new Retention(1000, Duration.ofHours(24));

    public Retention {
        if (maxCount < 1) {
            throw new IllegalArgumentException("maxCount: " + maxCount + " (expected: >= 1)");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: > 0)");
        }
    }
}
