package dev.herald.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the nodes of a cluster must agree on besides the log: token buckets (rate limits that hold across nodes)
 * and marks that may be set once (a signature accepted by one node is a replay on every other). Both live on
 * the log's Redis, under the log's prefix, on a connection of their own; every key expires by itself, so
 * nothing needs cleaning up and a crashed node leaves nothing behind.
 *
 * <p>Never blocks: each call is one command (a script for a bucket, {@code SET NX PX} for a mark) and its
 * future completes on a Lettuce I/O thread. A future fails (with a {@link io.lettuce.core.RedisException})
 * when Redis does not answer: at once while it is unreachable, after the command timeout when it is stalled.
 * What to do then is the caller's choice: a rate limit may fall back to a node's own buckets, a replay check
 * should refuse. Obtained from {@link RedisLog#limits()}; closed with the log.
 */
public final class RedisLimits {
    private final RedisAsyncCommands<String, String> redis;
    private final String prefix;

    RedisLimits(StatefulRedisConnection<String, String> connection, String prefix) {
        this.redis = connection.async();
        this.prefix = prefix;
    }

    /**
     * Takes {@code cost} tokens from the bucket named {@code bucket}, which refills at {@code perSecond} up to
     * {@code burst} (and starts full), by Redis's clock, atomically.
     *
     * @return zero if the tokens were taken; else how long until they would be there (and nothing was taken)
     */
    public CompletableFuture<Duration> take(String bucket, int cost, double perSecond, double burst) {
        requireNonNull(bucket, "bucket");
        if (cost < 1 || !(perSecond > 0) || !(burst > 0)) {
            throw new IllegalArgumentException("cost " + cost + ", perSecond " + perSecond + ", burst " + burst
                    + " (expected: cost >= 1, perSecond > 0, burst > 0)");
        }
        return Script.BUCKET.run(redis, new String[] {bucketKey(bucket)}, Integer.toString(cost),
                Double.toString(perSecond), Double.toString(burst))
                .thenApply(RedisLimits::waitOf);
    }

    /**
     * Sets the mark named {@code mark} for {@code ttl}, unless it is set already.
     *
     * @return true if it was not set (and now is, by this call), false if it was
     */
    public CompletableFuture<Boolean> markOnce(String mark, Duration ttl) {
        requireNonNull(mark, "mark");
        requireNonNull(ttl, "ttl");
        long millis = Math.max(1, ttl.toMillis());
        return redis.set(markKey(mark), "1", SetArgs.Builder.nx().px(millis)).toCompletableFuture()
                .thenApply("OK"::equals);
    }

    String bucketKey(String bucket) {
        return prefix + "rate:" + bucket;
    }

    String markKey(String mark) {
        return prefix + "once:" + mark;
    }

    private static Duration waitOf(List<Object> reply) {
        long micros = (Long) reply.get(0);
        return micros <= 0 ? Duration.ZERO : Duration.ofNanos(micros * 1000);
    }
}
