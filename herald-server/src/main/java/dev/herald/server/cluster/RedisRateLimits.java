package dev.herald.server.cluster;

import dev.herald.redis.RedisLimits;
import dev.herald.server.limits.LocalRateLimits;
import dev.herald.server.limits.RateLimits;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets that every node of the cluster shares, in Redis (one atomic script per request; see
 * {@link RedisLimits#take}), so that a client has one rate however many nodes it talks to.
 *
 * <p>While Redis does not answer, each node falls back to its own buckets: limits then hold per node, as on a
 * single node, rather than refuse every request (while Redis is away, publishes are refused by the log anyway,
 * and reads of history fail; requests that need neither, such as tokens minted offline, go on).
 */
public final class RedisRateLimits implements RateLimits {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimits.class);

    private final RedisLimits redis;
    private final LocalRateLimits fallback;
    private final AtomicBoolean degraded = new AtomicBoolean();

    public RedisRateLimits(RedisLimits redis, LocalRateLimits fallback) {
        this.redis = redis;
        this.fallback = fallback;
    }

    @Override
    public CompletionStage<Optional<Duration>> acquire(String key, int cost, double rate, double burst) {
        return redis.take(key, cost, rate, burst).handle((wait, failure) -> {
            if (failure == null) {
                if (degraded.compareAndSet(true, false)) {
                    log.info("rate limits are shared by the cluster's nodes again");
                }
                return wait.isZero() ? Optional.<Duration>empty() : Optional.of(wait);
            }
            if (degraded.compareAndSet(false, true)) {
                log.info("rate limits hold per node while Redis does not answer: {}", failure.toString());
            }
            return fallback.acquire(key, cost, rate, burst).toCompletableFuture().join(); // complete: local
        });
    }
}
