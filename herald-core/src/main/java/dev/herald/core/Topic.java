package dev.herald.core;

import java.util.List;

/**
 * A topic: a path-like UTF-8 name such as {@code chat/room-42} or {@code meters/m-17/reading}.
 *
 * <p>1 to {@value #MAX_BYTES} bytes of UTF-8, segments separated by single {@code /}, no empty segment, no
 * control character, and none of the wildcards {@code +} and {@code #}, which belong to {@link Selector}s.
 */
public record Topic(String name) implements Comparable<Topic> {
    /** The longest topic name, in UTF-8 bytes. */
    public static final int MAX_BYTES = 256;

    /** @throws IllegalArgumentException with a message a person can act on */
    public Topic {
        for (String segment : Names.segments("topic", name, MAX_BYTES)) {
            if (segment.contains("+") || segment.contains("#")) {
                throw new IllegalArgumentException("topic: '" + name
                        + "' contains a wildcard (expected: no '+' or '#' in a topic; they belong in a selector)");
            }
        }
    }

    public static Topic of(String name) {
        return new Topic(name);
    }

    public List<String> segments() {
        return List.of(name.split("/", -1));
    }

    @Override
    public int compareTo(Topic other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
