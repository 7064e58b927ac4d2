package dev.herald.server.cluster;

import dev.herald.redis.RedisLimits;
import dev.herald.server.auth.sign.SeenSignatures;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;

/**
 * The accepted signatures that every node of the cluster shares: one {@code SET NX PX} per accepted
 * state-changing request, keyed by its signature, kept until its {@code X-Sdk-Date} leaves the window on every
 * node. When Redis does not answer, the stage fails and the request is refused (503): a replay check that
 * cannot ask the other nodes must not guess.
 */
public final class RedisSeenSignatures implements SeenSignatures {
    /** Kept this much past the window, so that a node whose clock is behind still finds the mark. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final RedisLimits redis;

    public RedisSeenSignatures(RedisLimits redis) {
        this.redis = redis;
    }

    @Override
    public CompletionStage<Boolean> claim(byte[] signature, Instant expires, Instant now) {
        Duration ttl = Duration.between(now, expires).plus(CLOCK_SKEW);
        return redis.markOnce("sig:" + HexFormat.of().formatHex(signature), ttl);
    }
}
