package dev.herald.core;

import static java.util.Objects.requireNonNull;

/** Where a new {@link Subscription} begins. */
public sealed interface Start {

    /** With the next message published. */
    static Start now() {
        return Now.INSTANCE;
    }

    /** Right after {@code cursor}: every matching message the subscriber has not seen, once, in order. */
    static Start after(Cursor cursor) {
        return new After(cursor);
    }

    /** With the newest {@code count} matching messages, then everything after them. */
    static Start last(int count) {
        return new Last(count);
    }

    enum Now implements Start {
        INSTANCE
    }

    record After(Cursor cursor) implements Start {
        public After {
            requireNonNull(cursor, "cursor");
        }
    }

    record Last(int count) implements Start {
        public Last {
            if (count < 1) {
                throw new IllegalArgumentException("count: " + count + " (expected: >= 1)");
            }
        }
    }
}
