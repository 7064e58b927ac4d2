package dev.herald.core;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A topic or a pattern of topics with MQTT wildcards: {@code +} matches exactly one segment, {@code #} as the
 * last segment matches the rest (zero or more segments). {@code chat/+} matches {@code chat/room-1} but not
 * {@code chat} or {@code chat/a/b}; {@code meters/#} matches {@code meters/m-1/reading}.
 */
public record Selector(String pattern) {
    /** The longest pattern, in UTF-8 bytes. */
    public static final int MAX_BYTES = Topic.MAX_BYTES;

    /** @throws IllegalArgumentException with a message a person can act on */
    public Selector {
        String[] segments = Names.segments("selector", pattern, MAX_BYTES);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean wild = s.contains("+") || s.contains("#");
            if (wild && !s.equals("+") && !s.equals("#")) {
                throw new IllegalArgumentException("selector: '" + pattern
                        + "' mixes a wildcard with text in one segment (expected: '+' or '#' alone between '/')");
            }
            if (s.equals("#") && i != segments.length - 1) {
                throw new IllegalArgumentException(
                        "selector: '" + pattern + "' has '#' before the end (expected: '#' only as the last segment)");
            }
        }
    }

    public static Selector of(String pattern) {
        return new Selector(pattern);
    }

    public static Selector of(Topic topic) {
        return new Selector(topic.name());
    }

    /** The topic this selector names, when it has no wildcard. */
    public Optional<Topic> exactTopic() {
        return pattern.contains("+") || pattern.contains("#") ? Optional.empty() : Optional.of(new Topic(pattern));
    }

    public List<String> segments() {
        return List.of(pattern.split("/", -1));
    }

    /** Whether {@code topic} is one this selector names; {@code a/#} names {@code a} itself too, as in MQTT. */
    public boolean matches(Topic topic) {
        String t = topic.name();
        String p = pattern;
        int ti = 0;
        int pi = 0;
        while (true) {
            int pe = p.indexOf('/', pi);
            pe = pe < 0 ? p.length() : pe;
            int pl = pe - pi;
            if (pl == 1 && p.charAt(pi) == '#') {
                return true;
            }
            int te = t.indexOf('/', ti);
            te = te < 0 ? t.length() : te;
            boolean plus = pl == 1 && p.charAt(pi) == '+';
            if (!plus && !(te - ti == pl && t.regionMatches(ti, p, pi, pl))) {
                return false;
            }
            boolean patternDone = pe == p.length();
            boolean topicDone = te == t.length();
            if (patternDone || topicDone) {
                return patternDone ? topicDone : p.length() - pe == 2 && p.charAt(pe + 1) == '#';
            }
            pi = pe + 1;
            ti = te + 1;
        }
    }

    /** Whether one of {@code selectors} matches {@code topic}. */
    public static boolean anyMatches(Collection<Selector> selectors, Topic topic) {
        for (Selector s : selectors) {
            if (s.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
