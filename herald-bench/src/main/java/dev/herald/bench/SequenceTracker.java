package dev.herald.bench;

import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;

/**
 * What one subscriber received of one topic's sequence 1, 2, 3, …: each arrival is new, a duplicate (seen
 * before) or late (new, but after a higher number: reordered). Gaps are kept as ranges, so a subscriber that
 * misses a million messages costs one entry, and one that receives everything in order costs none.
 *
 * <p>Not thread-safe: a subscriber's connection records on its own event loop.
 */
public final class SequenceTracker {
    private long highest;
    private long distinct;
    private long duplicated;
    private long reordered;
    private TreeMap<Long, Long> gaps; // first -> last, inclusive: numbers below highest not yet received

    /** What {@link #record} made of an arrival. */
    public enum Arrival { NEW, LATE, DUPLICATE }

    /** Records the arrival of {@code seq} (at least 1). */
    public Arrival record(long seq) {
        if (seq > highest) {
            if (seq > highest + 1) {
                gaps().put(highest + 1, seq - 1);
            }
            highest = seq;
            distinct++;
            return Arrival.NEW;
        }
        if (gaps != null) {
            Map.Entry<Long, Long> gap = gaps.floorEntry(seq);
            if (gap != null && gap.getValue() >= seq) {
                long first = gap.getKey();
                long last = gap.getValue();
                gaps.remove(first);
                if (first < seq) {
                    gaps.put(first, seq - 1);
                }
                if (seq < last) {
                    gaps.put(seq + 1, last);
                }
                distinct++;
                reordered++;
                return Arrival.LATE;
            }
        }
        duplicated++;
        return Arrival.DUPLICATE;
    }

    private TreeMap<Long, Long> gaps() {
        if (gaps == null) {
            gaps = new TreeMap<>();
        }
        return gaps;
    }

    /** The highest number received; 0 before any. */
    public long highest() {
        return highest;
    }

    /** How many different numbers arrived. */
    public long distinct() {
        return distinct;
    }

    public long duplicated() {
        return duplicated;
    }

    public long reordered() {
        return reordered;
    }

    /**
     * How many of 1..{@code last} never arrived, not counting {@code failed}: the publishes the server refused or
     * that were never answered, which it need not deliver.
     */
    public long lost(long last, NavigableSet<Long> failed) {
        long lost = 0;
        if (gaps != null) {
            for (Map.Entry<Long, Long> gap : gaps.entrySet()) {
                long first = gap.getKey();
                long end = Math.min(gap.getValue(), last);
                if (first > end) {
                    break;
                }
                lost += end - first + 1 - failed.subSet(first, true, end, true).size();
            }
        }
        if (highest < last) {
            lost += last - highest - failed.subSet(highest + 1, true, last, true).size();
        }
        return lost;
    }
}
