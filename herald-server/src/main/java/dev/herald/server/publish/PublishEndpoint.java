package dev.herald.server.publish;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.redis.AppendException;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TopicGuard;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.ProblemException;
import dev.herald.server.http.Responses;
import dev.herald.server.ops.Metrics;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/publish}: validates the whole body, appends it as one batch, and answers once the log
 * made it durable, naming each message's id. A publish that was refused stored nothing; one whose append the
 * shared store did not confirm may be stored, and the answer says so.
 */
public final class PublishEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(PublishEndpoint.class);
    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    private final Hub hub;
    private final PublishParser parser;
    private final Authenticator authenticator;
    private final PublishRate rate;
    private final Metrics metrics;
    private final PublishPolicy policy;

    /** @param rate the per-app publish rate, shared with WebSocket publishes */
    public PublishEndpoint(Hub hub, PublishParser parser, Authenticator authenticator, PublishRate rate,
            Metrics metrics) {
        this(hub, parser, authenticator, rate, metrics, PublishPolicy.NONE);
    }

    /** As the other constructor, with the server's {@link PublishPolicy} applied to what may be published. */
    public PublishEndpoint(Hub hub, PublishParser parser, Authenticator authenticator, PublishRate rate,
            Metrics metrics, PublishPolicy policy) {
        this.policy = policy;
        this.hub = hub;
        this.parser = parser;
        this.authenticator = authenticator;
        this.rate = rate;
        this.metrics = metrics;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        // What can be refused at once is, in this order: credentials, body, permissions. What needs another
        // node (a signature's first use, the app's rate in a cluster) may answer later, on another thread.
        CompletableFuture<Principal> admitted = authenticator.authenticateChange(request, uri);
        byte[] body = ByteBufUtil.getBytes(request.content());
        PublishParser.Parsed parsed = switch (mediaType(request)) {
            case JSON -> parser.json(body);
            case FORM -> parser.form(body);
            default -> throw new IllegalStateException("unreachable");
        };
        CompletableFuture<Principal> permitted = admitted.isDone() && !admitted.isCompletedExceptionally()
                ? CompletableFuture.completedFuture(checkTopics(admitted.join(), parsed)) // refused at once
                : admitted.thenApply(principal -> checkTopics(principal, parsed));
        permitted.thenCompose(principal -> {
            var applied = new PublishParser.Parsed(policy.apply(principal, parsed.drafts()), parsed.batch());
            return rate.take(principal, applied.drafts().size()).thenCompose(admit -> append(applied));
        }).whenCompleteAsync((appended, failure) -> {
            if (failure == null) {
                Responses.send(ctx, request, Responses.of(HttpResponseStatus.OK, Responses.JSON,
                        answer(appended, parsed.batch())));
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof ProblemException e) {
                Responses.send(ctx, request, e.problem());
            } else {
                log.error("publish of {} messages failed", parsed.drafts().size(), cause);
                Responses.send(ctx, request, Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                        "The server failed to answer this request; the failure is logged."));
            }
        }, ctx.executor()); // the log's threads go straight back to their work
    }

    private static Principal checkTopics(Principal principal, PublishParser.Parsed parsed) {
        for (Draft draft : parsed.drafts()) {
            TopicGuard.checkPublish(principal, draft.topic());
        }
        return principal;
    }

    /** The stage fails with a 503 ProblemException when the log refuses or fails the append. */
    private CompletableFuture<List<Appended>> append(PublishParser.Parsed parsed) {
        if (!hub.log().isWritable()) {
            throw storeUnavailable().exception();
        }
        long started = System.nanoTime();
        return hub.publish(parsed.drafts()).handle((appended, failure) -> {
            if (failure != null) {
                log.warn("publish of {} messages failed: {}", parsed.drafts().size(), failure.toString());
                throw appendFailed(failure).exception();
            }
            metrics.appended(Duration.ofNanos(System.nanoTime() - started));
            int duplicates = (int) appended.stream().filter(Appended::duplicate).count();
            metrics.published(appended.size() - duplicates, duplicates);
            return appended;
        });
    }

    private String answer(List<Appended> appended, boolean batch) {
        if (!batch) {
            return describe(appended.get(0)).toString();
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode messages = body.putArray("messages");
        appended.forEach(a -> messages.add(describe(a)));
        return body.toString();
    }

    private ObjectNode describe(Appended a) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", hub.cursorOf(a.message()).token());
        node.put("topic", a.message().topic().name());
        node.put("duplicate", a.duplicate());
        return node;
    }

    /** The answer to a publish while the log takes no appends; shared with WebSocket publishes. */
    public static Problem storeUnavailable() {
        return Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "store-unavailable",
                "The message store cannot accept messages now; nothing was stored. Try again shortly.")
                .retryAfter(Duration.ofSeconds(1));
    }

    /**
     * The answer to an append that failed. An append that was sent and never answered (the shared store timed
     * out or went away while it ran) may be stored all the same: the client is told so, and how to make sure.
     */
    public static Problem appendFailed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof AppendException e && e.mayBeStored()) {
            return Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "store-unavailable",
                    "The message store did not confirm the append, so it may or may not be stored. Publish again "
                            + "with the same id (idempotency key) to store it once.")
                    .retryAfter(Duration.ofSeconds(1));
        }
        return storeUnavailable();
    }

    private static String mediaType(FullHttpRequest request) {
        CharSequence mime = HttpUtil.getMimeType(request);
        if (mime == null) {
            throw Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                    "Say what the body is: Content-Type: application/json or "
                            + "application/x-www-form-urlencoded.").exception();
        }
        String type = mime.toString().trim().toLowerCase(Locale.ROOT);
        if (!type.equals(JSON) && !type.equals(FORM)) {
            throw Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Content-Type "
                    + type + " is not accepted (expected: application/json or application/x-www-form-urlencoded)."
            ).exception();
        }
        Charset charset = HttpUtil.getCharset(request, StandardCharsets.UTF_8);
        if (!charset.equals(StandardCharsets.UTF_8) && !charset.equals(StandardCharsets.US_ASCII)) {
            throw Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-charset", "charset "
                    + charset.name() + " is not accepted (expected: utf-8).").exception();
        }
        return type;
    }
}
