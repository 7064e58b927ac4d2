package dev.herald.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TopicGuard;
import dev.herald.server.ops.Metrics;
import dev.herald.server.publish.PublishEndpoint;
import dev.herald.server.publish.PublishParser;
import dev.herald.server.publish.PublishPolicy;
import dev.herald.server.publish.PublishRate;
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
    private final PublishRate rate;
    private final PublishPolicy policy;
    private final Metrics metrics;

    WebSocketPublisher(Hub hub, PublishParser parser, PublishRate rate, PublishPolicy policy, Metrics metrics) {
        this.hub = hub;
        this.parser = parser;
        this.rate = rate;
        this.policy = policy;
        this.metrics = metrics;
    }

    /**
     * Validates and appends {@code message}; the future completes on {@code executor}, with what the log holds
     * for it, or with a {@link dev.herald.server.http.ProblemException} if the app is over its rate or the
     * store failed.
     *
     * @throws dev.herald.server.http.ProblemException if the message is refused at once; nothing was stored
     */
    CompletableFuture<Appended> publish(Principal principal, JsonNode message, Executor executor) {
        Draft parsed = parser.draft(message, "key");
        TopicGuard.checkPublish(principal, parsed.topic());
        Draft draft = policy.apply(principal, parsed);
        // Answered on the channel's event loop: the log's threads go straight back to their work.
        return rate.take(principal, 1).thenCompose(admit -> {
            if (!hub.log().isWritable()) {
                throw PublishEndpoint.storeUnavailable().exception();
            }
            long started = System.nanoTime();
            return hub.publish(List.of(draft)).handle((appended, failure) -> {
                if (failure != null) {
                    log.warn("publish over a WebSocket failed: {}", failure.toString());
                    throw PublishEndpoint.appendFailed(failure).exception();
                }
                metrics.appended(Duration.ofNanos(System.nanoTime() - started));
                Appended a = appended.get(0);
                metrics.published(a.duplicate() ? 0 : 1, a.duplicate() ? 1 : 0);
                return a;
            });
        }).toCompletableFuture().whenCompleteAsync((a, failure) -> { }, executor);
    }
}
