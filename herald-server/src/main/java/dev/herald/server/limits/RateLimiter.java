package dev.herald.server.limits;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a client address, an app): each refills at {@code rate} per second up to
 * {@code burst}. Thread-safe. Buckets that are full again are forgotten by {@link #forgetIdle()}, so memory is
 * bounded by the keys active in the last moments.
 *
 * @param <K> what is limited
 */
public final class RateLimiter<K> {
    private final Map<K, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    private static final class Bucket {
        final double rate;
        final double burst;
        double tokens;
        long updated;

        Bucket(double rate, double burst, long now) {
            this.rate = rate;
            this.burst = burst;
            this.tokens = burst;
            this.updated = now;
        }

        synchronized long take(int cost, long now) {
            tokens = Math.min(burst, tokens + (now - updated) * rate / 1e9);
            updated = now;
            if (tokens >= cost) {
                tokens -= cost;
                return 0;
            }
            return (long) Math.ceil((cost - tokens) / rate * 1e9);
        }

        synchronized boolean isFull(long now) {
            return tokens + (now - updated) * rate / 1e9 >= burst;
        }
    }

    public RateLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public RateLimiter() {
        this(System::nanoTime);
    }

    /**
     * Takes {@code cost} tokens from {@code key}'s bucket, or says how long until they would be there.
     *
     * @param rate tokens per second
     * @param burst the bucket's size; at least {@code cost} for the request to ever pass
     * @return empty if granted; else the wait before the same request would be
     */
    public Optional<Duration> acquire(K key, int cost, double rate, double burst) {
        long now = nanoClock.getAsLong();
        long wait = buckets.computeIfAbsent(key, k -> new Bucket(rate, burst, now)).take(cost, now);
        return wait == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(wait));
    }

    /** Drops buckets that have refilled: they hold nothing a new bucket would not. */
    public void forgetIdle() {
        long now = nanoClock.getAsLong();
        buckets.values().removeIf(b -> b.isFull(now));
    }

    int size() {
        return buckets.size();
    }
}
