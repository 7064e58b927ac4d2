package dev.herald.server.auth.sign;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The signatures of state-changing requests that any node of a cluster accepted, while their window lasts:
 * what makes a signed request that one node accepted a replay on every other. Each node's own
 * {@link ReplayGuard} is checked first; this is asked after it.
 */
public interface SeenSignatures {
    /** One node on its own: its {@link ReplayGuard} knows every signature it accepted. */
    SeenSignatures THIS_NODE_ONLY = (signature, expires, now) -> CompletableFuture.completedFuture(true);

    /**
     * Records {@code signature} as used until {@code expires}, unless a node already did. Never blocks.
     *
     * @return true if no node had used it (and now this one has); false if it is a replay. The stage fails when
     *     that cannot be told now (the shared store is unreachable): the request must then be refused.
     */
    CompletionStage<Boolean> claim(byte[] signature, Instant expires, Instant now);
}
