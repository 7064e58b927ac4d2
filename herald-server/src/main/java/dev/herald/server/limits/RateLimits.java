package dev.herald.server.limits;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Token buckets by name, such as {@code ip:203.0.113.7} or {@code app:HKQ7M2XW9PA4TNE6RJC3}: this node's own
 * ({@link LocalRateLimits}), or shared by every node of a cluster, so that a client cannot multiply its rate
 * by the number of nodes.
 *
 * <p>Never blocks. The answer may come later, on another thread (a shared store answers over the network);
 * a caller on an event loop goes back to it before touching its channel. The stage never fails: an
 * implementation that cannot ask its store decides by itself, and says how in its documentation.
 */
public interface RateLimits {
    /**
     * Takes {@code cost} tokens from {@code key}'s bucket, which refills at {@code rate} per second up to
     * {@code burst}, or says how long until they would be there (and takes nothing).
     *
     * @return empty if granted; else the wait before the same request would be
     */
    CompletionStage<Optional<Duration>> acquire(String key, int cost, double rate, double burst);
}
