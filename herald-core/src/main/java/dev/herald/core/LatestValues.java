package dev.herald.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a {@link Subscription} with latest-value topics keeps while its subscriber is behind (the class comment of
 * {@link Subscription} says what the subscriber gets): the newest undelivered message of each latest-value topic,
 * which supersedes every older one of its topic, and while paused the few messages on other topics it missed.
 * Confined to the subscription's executor, like the rest of its state.
 */
final class LatestValues {
    /** Latest-value topics whose newest message is held; a message on a further topic is read from the log. */
    static final int HELD_TOPICS = 4096;
    /** Messages on other topics held while paused; past it, none is, and the resume reads the log. */
    static final int HELD_OTHERS = 256;
    /** Characters of data of the other messages held while paused; past it, likewise. */
    static final int HELD_OTHER_CHARS = 256 * 1024;
    private static final Comparator<Message> BY_OFFSET = Comparator.comparingLong(Message::offset);

    private final Predicate<Topic> latestOnly;
    private final Map<Topic, Message> held = new LinkedHashMap<>();
    private final List<Message> othersMissed = new ArrayList<>();
    private int othersMissedChars;
    private boolean othersOverflowed;
    private long firstOtherMissed; // 0: none

    LatestValues(Predicate<Topic> latestOnly) {
        this.latestOnly = latestOnly;
    }

    /** Holds the latest-value messages, each replacing the older one of its topic; returns the others. */
    List<Message> hold(List<Message> messages) {
        List<Message> others = null;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            Topic topic = m.topic();
            boolean kept = latestOnly.test(topic) && (held.containsKey(topic) || held.size() < HELD_TOPICS);
            if (kept) {
                held.put(topic, m);
            }
            if (kept && others == null) {
                others = new ArrayList<>(messages.subList(0, i));
            } else if (!kept && others != null) {
                others.add(m);
            }
        }
        return others == null ? messages : others;
    }

    /** The subscription paused at {@code messages}, the first it could not deliver. */
    void paused(List<Message> messages) {
        othersMissed.clear();
        othersMissedChars = 0;
        othersOverflowed = false;
        firstOtherMissed = 0;
        missed(messages);
    }

    /** Messages that arrived while paused: every message after the pause passes here. */
    void missed(List<Message> messages) {
        for (Message m : hold(messages)) {
            if (firstOtherMissed == 0) {
                firstOtherMissed = m.offset();
            }
            if (othersOverflowed) {
                continue;
            }
            othersMissedChars += m.data().length();
            if (othersMissed.size() < HELD_OTHERS && othersMissedChars <= HELD_OTHER_CHARS) {
                othersMissed.add(m);
            } else {
                othersOverflowed = true; // the log has them all
                othersMissed.clear();
            }
        }
    }

    /**
     * Ends the pause. When every other message missed is in hand, adds them to {@code into} and returns 0: no read
     * is needed. Else returns the offset of the first of them, from which the log must be read; the messages
     * before it were all on latest-value topics, and the held ones stand for them.
     */
    long resume(List<Message> into) {
        long first = firstOtherMissed;
        firstOtherMissed = 0;
        boolean inHand = !othersOverflowed;
        othersOverflowed = false;
        if (inHand) {
            into.addAll(othersMissed);
        }
        othersMissed.clear();
        othersMissedChars = 0;
        return inHand ? 0 : first;
    }

    /**
     * {@code fresh} (undelivered, past {@code position}) without the latest-value messages that a newer one
     * supersedes (held, or later in {@code fresh}), with the held messages due by {@code through} (all of them if
     * {@code drain}), in offset order. A held message that {@code fresh} holds too is delivered once.
     */
    List<Message> compact(List<Message> fresh, long position, long through, boolean drain) {
        Map<Topic, Integer> newestAt = null;
        for (int i = 0; i < fresh.size(); i++) {
            Topic topic = fresh.get(i).topic();
            if (latestOnly.test(topic)) {
                if (newestAt == null) {
                    newestAt = new HashMap<>();
                }
                newestAt.put(topic, i);
            }
        }
        if (newestAt == null && held.isEmpty()) {
            return fresh;
        }
        List<Message> out = new ArrayList<>(fresh.size() + held.size());
        for (int i = 0; i < fresh.size(); i++) {
            Message m = fresh.get(i);
            Integer newest = newestAt == null ? null : newestAt.get(m.topic());
            if (newest == null) {
                out.add(m); // not a latest-value topic
                continue;
            }
            Message h = held.get(m.topic());
            if (h != null && h.offset() > m.offset() || newest != i) {
                continue; // superseded
            }
            if (h != null) {
                held.remove(m.topic()); // m is the held one, or newer
            }
            out.add(m);
        }
        boolean added = false;
        for (Iterator<Message> it = held.values().iterator(); it.hasNext(); ) {
            Message h = it.next();
            if (h.offset() <= position) {
                it.remove(); // delivered already
            } else if (drain || h.offset() <= through) {
                out.add(h);
                added = true;
                it.remove();
            }
        }
        if (added) {
            out.sort(BY_OFFSET);
        }
        return out;
    }

    void clear() {
        held.clear();
        othersMissed.clear();
        othersMissedChars = 0;
    }
}
