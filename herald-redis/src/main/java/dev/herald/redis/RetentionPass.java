package dev.herald.redis;

import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Topic;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each node runs once a second: it checks that the log's epoch is still stored, and — on one node at a
 * time, the one that takes a short lock ({@code SET NX PX}) — applies age retention and deletes the stream
 * entries that retention removed a few passes ago.
 *
 * <p>Age: the expiry set names each topic with a time by which its oldest message may have expired. This pass
 * takes the topics due, asks the {@link RetentionPolicy} (which Lua cannot evaluate) for each one's maxAge, and
 * runs {@code expire.lua}, which removes the topic's messages older than now minus maxAge, raises its trim mark
 * and sets its next expiry.
 *
 * <p>Deletion: retention takes a message out of its topic's index and raises the trim mark at once, so no read
 * returns it; its stream entry stays for {@value #DELETE_AFTER_PASSES} more passes (about that many seconds), so
 * that every node's follower still reads it. Then {@code clean.lua} deletes it.
 */
final class RetentionPass implements Runnable {
    static final long INTERVAL_MS = 1000;
    static final long LOCK_MS = 900;
    static final int DELETE_AFTER_PASSES = 5;
    private static final int DUE_PAGE = 256;
    private static final int EXPIRE_LIMIT = 1000;
    private static final int MAX_PAGES = 16;
    private static final int MAX_STEPS_PER_TOPIC = 100;

    private static final Logger log = LoggerFactory.getLogger(RetentionPass.class);

    /** The log's side of the pass. */
    interface Owner {
        boolean isConnected();

        /** Completes appends that waited too long for the follower. */
        void expireAcks();

        /** Whether Redis answered this pass (false: it timed out). */
        void answered(boolean answered);

        void lost(String why);
    }

    private final RedisAsyncCommands<String, String> redis;
    private final Keys keys;
    private final String epoch;
    private final String node;
    private final RetentionPolicy retention;
    private final LongSupplier clock;
    private final Owner owner;
    private final String server;
    private boolean failing; // pass thread only

    RetentionPass(RedisAsyncCommands<String, String> redis, Keys keys, String epoch, String node,
            RetentionPolicy retention, LongSupplier clock, Owner owner, String server) {
        this.redis = redis;
        this.keys = keys;
        this.epoch = epoch;
        this.node = node;
        this.retention = retention;
        this.clock = clock;
        this.owner = owner;
        this.server = server;
    }

    @Override
    public void run() {
        owner.expireAcks();
        if (!owner.isConnected()) {
            return;
        }
        try {
            String stored = redis.get(keys.epoch()).toCompletableFuture().join();
            owner.answered(true);
            if (!epoch.equals(stored)) {
                owner.lost(stored == null ? "the log's data is gone from " + server + " (epoch " + epoch
                        + " no longer stored: Redis was flushed or restarted without persistence)"
                        : "the log on " + server + " has another epoch now (" + stored + ", was " + epoch + ")");
                return;
            }
            String locked = redis.set(keys.retentionLock(), node, SetArgs.Builder.nx().px(LOCK_MS))
                    .toCompletableFuture().join();
            if ("OK".equals(locked)) {
                expire(clock.getAsLong());
                clean();
            }
            failing = false;
        } catch (RedisException | CompletionException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisCommandTimeoutException) {
                owner.answered(false);
            }
            if (!failing) {
                log.info("retention pass on {} failed, retrying each second: {}", server, e.toString());
                failing = true;
            }
        } catch (RuntimeException e) {
            log.error("retention pass on {} failed", server, e);
        }
    }

    private void expire(long now) {
        Range<Long> due = Range.from(Range.Boundary.unbounded(), Range.Boundary.including(now));
        for (int page = 0; page < MAX_PAGES; page++) {
            List<String> topics = redis.zrangebyscore(keys.expiry(), due, Limit.create(0, DUE_PAGE))
                    .toCompletableFuture().join();
            for (String name : topics) {
                Topic topic;
                try {
                    topic = Topic.of(name);
                } catch (IllegalArgumentException e) {
                    log.warn("expiry set {} names '{}', not a Herald topic; left alone", keys.expiry(), name);
                    continue;
                }
                Retention r = retention.forTopic(topic);
                long maxAge = r.maxAge().toMillis();
                String[] k = keys.writing(1);
                k[7] = keys.topic(topic);
                for (int step = 0; step < MAX_STEPS_PER_TOPIC; step++) {
                    List<Object> removed = Script.EXPIRE.run(redis, k, epoch, name, Long.toString(now - maxAge),
                            Long.toString(maxAge), Integer.toString(EXPIRE_LIMIT)).join();
                    if ((Long) removed.get(0) < EXPIRE_LIMIT) {
                        break;
                    }
                }
            }
            if (topics.size() < DUE_PAGE) {
                return;
            }
        }
    }

    private void clean() {
        Script.CLEAN.run(redis, new String[] {keys.gone(), keys.goneMarks(), keys.gonePopped(), keys.log()},
                Integer.toString(DELETE_AFTER_PASSES)).join();
    }
}
