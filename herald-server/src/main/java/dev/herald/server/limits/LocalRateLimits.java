package dev.herald.server.limits;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** This node's own buckets, in memory: the answer is there when {@link #acquire} returns. */
public final class LocalRateLimits implements RateLimits {
    private final RateLimiter<String> buckets;

    public LocalRateLimits(RateLimiter<String> buckets) {
        this.buckets = buckets;
    }

    @Override
    public CompletionStage<Optional<Duration>> acquire(String key, int cost, double rate, double burst) {
        return CompletableFuture.completedFuture(buckets.acquire(key, cost, rate, burst));
    }

    /** Drops buckets that have refilled; see {@link RateLimiter#forgetIdle()}. */
    public void forgetIdle() {
        buckets.forgetIdle();
    }
}
