package dev.herald.redis;

import dev.herald.core.Topic;

/**
 * The names of one shard's Redis keys. Every name carries the hash tag {@code {shard}}, so that all the keys of
 * a shard live in one Redis Cluster slot and one script may touch them all.
 *
 * @param base the prefix with the hash tag, such as {@code herald:{0}:}
 */
record Keys(String base) {
    static Keys of(String prefix, int shard) {
        return new Keys(prefix + "{" + shard + "}:");
    }

    /** String: the epoch, made with SET NX on first open. */
    String epoch() {
        return base + "epoch";
    }

    /** String: the last offset given out (INCR). */
    String seq() {
        return base + "seq";
    }

    /** Stream: every message, entry id {@code <offset>-1}, fields t (topic), e, d, k, m (time in ms). */
    String log() {
        return base + "log";
    }

    /** Sorted set: topic to the highest offset retention removed from it. */
    String trim() {
        return base + "trim";
    }

    /** Hash: topic, NUL, idempotency key to the offset of the retained message that holds the key. */
    String keys() {
        return base + "keys";
    }

    /** Sorted set: topic to a time by which its oldest message may have expired (never later than that). */
    String expiry() {
        return base + "expiry";
    }

    /** List: offsets removed by retention whose stream entries wait to be deleted. */
    String gone() {
        return base + "gone";
    }

    /** List: how many offsets had ever been queued on {@link #gone()} at each of the recent clean passes. */
    String goneMarks() {
        return base + "gone:marks";
    }

    /** String: how many offsets were ever taken off {@link #gone()}. */
    String gonePopped() {
        return base + "gone:popped";
    }

    /** String with a short expiry: held by the node that runs the retention pass now. */
    String retentionLock() {
        return base + "retention:lock";
    }

    /** Sorted set: the offsets of one topic's retained messages, score = member = offset. */
    String topic(Topic topic) {
        return base + "t:" + topic.name();
    }

    /**
     * Sorted set: the presence seats on one topic, member = holder, NUL, user; score = when the seat runs out,
     * in milliseconds of Redis's clock.
     */
    String seats(Topic topic) {
        return base + "p:seats:" + topic.name();
    }

    /** Hash: user to how many seats it holds on one topic (see {@link #seats}). */
    String seated(Topic topic) {
        return base + "p:users:" + topic.name();
    }

    /** Sorted set: topic to when its first presence seat runs out; where the sweeps look. */
    String presenceDue() {
        return base + "p:due";
    }

    /** The seven keys every writing script takes first, in the order prelude.lua names them. */
    String[] writing(int extra) {
        String[] k = new String[7 + extra];
        k[0] = epoch();
        k[1] = seq();
        k[2] = log();
        k[3] = trim();
        k[4] = keys();
        k[5] = expiry();
        k[6] = gone();
        return k;
    }
}
