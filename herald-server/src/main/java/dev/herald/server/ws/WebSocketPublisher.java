package dev.herald.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TopicGuard;
import dev.herald.server.http.Problem;
import dev.herald.server.limits.RateLimiter;
import dev.herald.server.ops.Metrics;
import dev.herald.server.publish.PublishParser;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one message sent over a WebSocket as {@code POST /api/v1/publish} would: the parser's validation
 * and limits, the principal's permission, the app's rate (the same buckets as HTTP publishes, so an app cannot
 * double its rate by using both), and an answer only once the log made it durable.
 */
final class WebSocketPublisher {
    private static final Logger log = LoggerFactory.getLogger(WebSocketPublisher.class);

    private final Hub hub;
    private final PublishParser parser;
    private final RateLimiter<String> appRates;
    private final int defaultAppRate;
    private final Metrics metrics;

    WebSocketPublisher(Hub hub, PublishParser parser, RateLimiter<String> appRates, int defaultAppRate,
            Metrics metrics) {
        this.hub = hub;
        this.parser = parser;
        this.appRates = appRates;
        this.defaultAppRate = defaultAppRate;
        this.metrics = metrics;
    }

    /**
     * Validates and appends {@code message}; the future completes on {@code executor}, with what the log holds
     * for it, or with a {@link dev.herald.server.http.ProblemException} if the store failed.
     *
     * @throws dev.herald.server.http.ProblemException if the message is refused; nothing was stored
     */
    CompletableFuture<Appended> publish(Principal principal, JsonNode message, Executor executor) {
        Draft draft = parser.draft(message, "key");
        TopicGuard.checkPublish(principal, draft.topic());
        principal.app().ifPresent(app -> {
            int rate = app.publishPerSecond() > 0 ? app.publishPerSecond() : defaultAppRate;
            appRates.acquire(app.key(), 1, rate, 2.0 * rate).ifPresent(wait -> {
                throw Problem.of(HttpResponseStatus.TOO_MANY_REQUESTS, "publish-rate", "App " + app.name()
                        + " publishes faster than its limit of " + rate + " messages per second.")
                        .retryAfter(wait).exception();
            });
        });
        if (!hub.log().isWritable()) {
            throw unavailable().exception();
        }
        long started = System.nanoTime();
        // Answered on the channel's event loop: the log's writer thread goes straight back to writing.
        return hub.publish(List.of(draft)).handleAsync((appended, failure) -> {
            if (failure != null) {
                log.warn("publish over a WebSocket failed: {}", failure.toString());
                throw unavailable().exception();
            }
            metrics.appended(Duration.ofNanos(System.nanoTime() - started));
            Appended a = appended.get(0);
            metrics.published(a.duplicate() ? 0 : 1, a.duplicate() ? 1 : 0);
            return a;
        }, executor);
    }

    /** The same answer as HTTP's. */
    private static Problem unavailable() {
        return Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "store-unavailable",
                "The message store cannot accept messages now; nothing was stored. Try again shortly.")
                .retryAfter(Duration.ofSeconds(1));
    }
}
