package dev.herald.server.publish;

import dev.herald.server.auth.App;
import dev.herald.server.auth.Principal;
import dev.herald.server.http.Problem;
import dev.herald.server.limits.RateLimits;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The publish rate of each app, in messages, one bucket per app whichever way it publishes (HTTP or WebSocket)
 * and, in a cluster, whichever node it publishes through. Publishes without an app (anonymous, on public
 * topics) fall under the per-address request rate only.
 */
public final class PublishRate {
    private final RateLimits limits;
    private final int defaultPerSecond;

    /**
     * @param limits the buckets
     * @param defaultPerSecond messages per second for an app that sets no rate of its own
     */
    public PublishRate(RateLimits limits, int defaultPerSecond) {
        this.limits = limits;
        this.defaultPerSecond = defaultPerSecond;
    }

    /**
     * Takes {@code messages} from the principal's app's bucket. The stage fails with a 429
     * {@link dev.herald.server.http.ProblemException} (with {@code Retry-After}) when the app is over its rate;
     * it may complete on another thread.
     */
    public CompletionStage<Void> take(Principal principal, int messages) {
        if (principal.app().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        App app = principal.app().get();
        int rate = app.publishPerSecond() > 0 ? app.publishPerSecond() : defaultPerSecond;
        return limits.acquire("app:" + app.key(), messages, rate, 2.0 * rate).thenAccept(wait -> wait.ifPresent(w -> {
            throw Problem.of(HttpResponseStatus.TOO_MANY_REQUESTS, "publish-rate", "App " + app.name()
                    + " publishes faster than its limit of " + rate + " messages per second.")
                    .retryAfter(w).exception();
        }));
    }
}
